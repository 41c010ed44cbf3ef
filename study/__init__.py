"""Study with the articles (issue #14): a cited timeline, a cited glossary and quizzes, guided answers
(hints, cloze, answer check) and suggested questions, built from the corpus's own sentences with no language
model. Every item carries the citation of the sentence that proves it."""

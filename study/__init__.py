"""Studying with the articles: guided answers (hints, cloze, answer check) and suggested questions, built from corpus sentences."""

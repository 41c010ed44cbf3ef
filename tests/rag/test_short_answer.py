"""The direct answer's span: cut from the sentence, of the asked kind, new to the question, framed in French."""

import pytest

from kalan.rag.short_answer import asks_itself, attached, counted, described, direct_part, event_attached, \
    find_span

DIOP = ("À l’occasion du 65ᵉ anniversaire, le ministre malien des Affaires étrangères, Abdoulaye Diop, a adressé un "
        "message de félicitations à son homologue russe Sergueï Lavrov.")


def test_a_year_is_framed_by_the_question_preposition():
    s = "Tout commence en 1960, quelques semaines à peine après la proclamation de l’indépendance du Mali."
    assert find_span("Depuis quand le Mali et Moscou coopèrent-ils ?", s).framed == "Depuis 1960"
    assert find_span("En quelle année tout commence ?", s).framed == "En 1960"


def test_a_full_date_gets_le_and_the_span_is_the_sentence_own_characters():
    s = "Le 14 octobre 2025 n’est pas une date anodine."
    span = find_span("Quand est célébré l'anniversaire ?", s)
    assert span.framed == "Le 14 octobre 2025"
    assert s[span.start:span.end] == span.text


def test_a_date_the_question_already_holds_is_not_an_answer():
    assert find_span("Que se passe-t-il en 2021 ?", "Depuis 2021, le Mali change de cap.", "date") is None


@pytest.mark.parametrize("question", [
    "Si on fête les 65 ans en 2025, tout a commencé en quelle année ?",  # the question gives the year
    "Si on fête l'anniversaire le 14 octobre, les relations datent de quelle année ?",  # … or the day
])
def test_a_year_question_takes_no_date_it_gives_as_its_landmark(question):
    assert find_span(question, "Le 14 octobre 2025 n’est pas une date anodine.", "date") is None
    assert find_span(question, "Tout commence en 1960, après l’indépendance.", "date").text == "1960"


def test_a_when_question_may_still_take_a_fuller_date_than_it_gives():
    assert find_span("Quand, en 2025, a-t-on fêté l'anniversaire ?", "Le 14 octobre 2025 n’est pas une date "
                     "anodine.", "date").text == "14 octobre 2025"


def test_a_date_is_as_precise_as_the_question_asks():
    year = "Il est né en 1960 à Ségou."
    month = "Il est né en mai 1960 à Ségou."
    day = "Il est né le 1er mai 1960 à Ségou."
    assert find_span("Il est né quel jour ?", year) is None  # a year does not say which day
    assert find_span("Il est né quel jour exactement ?", month) is None
    assert find_span("Il est né quel jour ?", day).framed == "Le 1er mai 1960"
    assert find_span("En quel mois est-il né ?", year) is None
    assert find_span("En quel mois est-il né ?", month).text == "mai 1960"
    assert find_span("Quand est-il né ?", year).framed == "En 1960"  # any date answers « quand »


@pytest.mark.parametrize("question", ["Qui a choisi cette route ?", "c'était qui le décideur de cette route ?",
                                      "elle a été choisie par qui ?"])
def test_qui_asks_for_a_person_or_a_body_wherever_it_stands(question):
    place = "Une route parfois cahoteuse, mais que Bamako semble avoir choisie en toute conscience."
    person = "Une route parfois cahoteuse, mais que le ministre Abdoulaye Diop semble avoir choisie."
    assert find_span(question, place) is None  # a city is not who
    assert find_span(question, person).text == "Abdoulaye Diop"


def test_a_count_keeps_what_is_counted_and_skips_ranks_and_years():
    s = "Le 65ᵉ anniversaire : plus d’un millier d’étudiants maliens ont été formés depuis 1960."
    assert find_span("Combien d'étudiants ont été formés ?", s).text == "plus d’un millier d’étudiants maliens"


def test_a_time_span_question_wants_a_duration_cut_after_its_unit():
    s = "Plus de six décennies après la signature des premiers accords, l’amitié reste solide."
    assert find_span("Depuis combien de temps sont-ils amis ?", s).text == "Plus de six décennies"


def test_a_number_inside_a_word_is_no_count():
    assert find_span("Combien de buts ?", "Il réalise sa centième victoire.", "number") is None


@pytest.mark.parametrize("question,expected", [
    ("Qui a félicité Sergueï Lavrov ?", "Abdoulaye Diop"),
    ("À qui Abdoulaye Diop a-t-il écrit ?", "Sergueï Lavrov"),
])
def test_a_person_question_gets_a_person_not_named_in_the_question(question, expected):
    assert find_span(question, DIOP).text == expected


def test_a_place_question_gets_no_person():
    assert find_span("Dans quelle ville se tient la fête ?", DIOP, "name") is None


def test_excluded_text_such_as_the_previous_answer_is_not_repeated():
    assert find_span("Et à qui a-t-il écrit ?", DIOP, "name", exclude="Abdoulaye Diop").text == "Sergueï Lavrov"


def test_open_questions_have_no_span():
    assert find_span("Pourquoi le Mali s'est-il tourné vers Moscou ?", DIOP) is None


def test_a_bare_fragment_does_not_ask_by_itself():
    assert not asks_itself("Et dans le domaine de l'énergie ?")
    assert asks_itself("et ds l'education, la russie fait quoi ?")
    assert asks_itself("Et qu'a-t-il dit ?")


def test_an_anniversary_in_a_dated_text_gives_the_start_year():
    span = find_span("Depuis quand ont-ils des relations diplomatiques ?",
                     "Ce jour marque le 65ᵉ anniversaire de l’établissement des relations diplomatiques.", "date",
                     context="Le 14 octobre 2025 n’est pas une date anodine.")
    assert span.text == "1960" and span.framed.startswith("Depuis 1960")


def test_the_word_of_beginning_may_come_before_the_year_question():
    span = find_span("Les relations ont été établies en quelle année ?",
                     "Ce jour marque le 65ᵉ anniversaire de l’établissement des relations diplomatiques.", "date",
                     context="Le 14 octobre 2025 n’est pas une date anodine.")
    assert span.text == "1960"


def test_an_anniversary_does_not_answer_when_the_question_is_not_about_a_start():
    s = "Ce jour marque le 65ᵉ anniversaire, le 14 octobre 2025."
    assert find_span("Quand est célébré l'anniversaire ?", s, "date").text == "14 octobre 2025"


def test_a_name_the_question_says_through_a_derived_word_is_not_new():
    # « malienne » already names the Mali; « russe », the Russie
    assert find_span("Dans quelle ville malienne se tient la fête ?", "La fête a lieu au Mali.", "name") is None
    assert find_span("Dans quelle ville malienne se tient la fête ?",
                     "La fête a lieu au Mali, à Bamako.", "name").text == "Bamako"
    assert find_span("Quel pays africain fête ses liens avec la Russie ?", "Le Mali et la Russie fêtent.", "name").text == "Mali"


def test_a_name_the_question_gives_is_its_subject_not_its_answer():
    s = ("Lors de la fête du village, la maire Camille Roussel a remis une médaille au boulanger Étienne Marchal, "
         "salué pour quarante ans de service.")
    # the question names the baker by his family name: the span is the other person, wherever the words stand
    assert find_span("Qui a remis une médaille à Marchal pendant la fête ?", s).text == "Camille Roussel"
    # a relative sharing only the family name is another person
    t = "Léa Vasseur est la fille de Paul Vasseur et de Marie Colin."
    assert find_span("Qui est le père de Léa Vasseur ?", t).text == "Paul Vasseur"
    # the only name there: still the answer, rather than nothing
    assert find_span("Qui a salué Marchal ?", "Le boulanger Étienne Marchal a été salué.").text == "Étienne Marchal"


def test_a_day_of_a_month_is_no_length_of_time():
    s = "Le 3 mars 2019 n'est pas une date comme les autres pour le club."
    assert find_span("Depuis combien de temps le club existe-t-il ?", s, "number") is None
    count = find_span("Combien de joueurs compte le club ?", s, "number")
    assert count is None or "mars" not in count.text


def test_an_anniversary_says_how_long_what_it_celebrates_has_lasted():
    s = "La ville fête le 40ᵉ anniversaire de son jumelage avec Tartu, au printemps."
    span = find_span("Depuis combien de temps dure le jumelage ?", s, "number")
    assert span is not None and span.text == "40 ans" and span.framed.startswith("40 ans (40ᵉ anniversaire")
    assert s[span.start:span.end] == "40ᵉ anniversaire"  # the span cited is the sentence's own words


@pytest.mark.parametrize("question", [
    "Combien de temps après la guerre le jumelage a-t-il été signé ?",  # between two events
    "Depuis combien de temps dure la rénovation du port ?",  # the anniversary is of something else
    "Combien de joueurs compte le club ?",  # not a length of time
])
def test_an_anniversary_gives_no_length_for_other_questions(question):
    s = "La ville fête le 40ᵉ anniversaire de son jumelage avec Tartu, au printemps."
    assert find_span(question, s, "number") is None


def test_a_count_ends_on_what_is_counted_not_on_a_tool_word():
    span = find_span("Combien de clubs participent ?", "Cette année, quatre clubs se disputent le titre.", "number")
    assert span is not None and span.text == "quatre clubs"
    span = find_span("Quelle est la hauteur de la tour ?", "La tour mesure 188 m depuis 1998.", "number")
    assert span is not None and span.text == "188 m"  # a one-letter unit is no tool word


def test_a_year_followed_by_a_preposition_and_a_name_is_no_count():
    # the counted noun's second word is in lower case: « 2008 par Thomas » is a year, then who announced it
    s = "Le temple a été annoncé en 2008 par Thomas Monson."
    assert find_span("Combien de fidèles compte l'église ?", s, "number") is None
    span = find_span("Combien de fidèles compte l'église ?", s.replace(".", " et compte 22 000 membres."), "number")
    assert span is not None and span.text == "22 000 membres"


def test_a_unit_is_a_whole_word_not_the_first_letter_of_one():
    s = "Le pont mesure 412 mètres de long et compte 12 piles."
    span = find_span("Quelle est la longueur du pont ?", s, "number")
    assert span is not None and span.text == "412 mètres"  # not « 412 m » cut out of « mètres »
    span = find_span("Combien de piles compte le pont ?", "Le chantier a mobilisé 300 maçons.", "number")
    assert span is not None and span.text == "300 maçons"
    span = find_span("Quelle est la superficie de la ville ?", "La ville s'étend sur 81 km2 au bord du lac.", "number")
    assert span is not None and span.text == "81 km2"


def test_a_number_the_question_gives_is_its_setting_not_its_answer():
    s = "Pour son festival de 2019 à Lyon, la ville a reçu des exposants venus de 12 pays."
    span = find_span("En 2019, combien de pays ont envoyé des exposants au festival ?", s, "number")
    assert span is not None and span.text == "12 pays"  # « 2019 à Lyon » only repeats the question's year
    alone = find_span("En 2019, combien de pays ?", "Le festival a réuni 2019 visiteurs.", "number")
    assert alone is not None and alone.text == "2019 visiteurs"  # no other span: set aside, not dropped


def test_a_start_date_answers_how_long_what_started_then_has_lasted():
    topic = frozenset({"vern", "pont"})  # stems of the article's title
    s = "Les étudiants de Vernes se forment au chinois depuis 1998, et le club de voile existe depuis les années 1970."
    span = find_span("Depuis combien de temps les étudiants apprennent-ils le chinois ?", s, "number", topic)
    assert span is not None and span.text == "depuis 1998" and span.framed == "Depuis 1998"
    span = find_span("ça fait combien d'années que le club de voile existe ?", s, "number", topic)
    assert span is not None and span.framed == "Depuis les années 1970"


@pytest.mark.parametrize("question", [
    "Combien de temps après la guerre les étudiants ont-ils appris le chinois ?",  # between two events
    "Depuis combien de temps le pont de Vernes est-il fermé ?",  # what started then is not what is asked
    "Combien d'étudiants apprennent le chinois ?",  # a count, not a length of time
])
def test_a_start_date_gives_no_length_for_other_questions(question):
    s = "Les étudiants de Vernes se forment au chinois depuis 1998."
    span = find_span(question, s, "number", frozenset({"vern", "pont"}))
    assert span is None or "1998" not in span.text


def test_the_direct_part_of_an_earlier_answer():
    assert direct_part("Abdoulaye Diop [1]. Le ministre a écrit à Sergueï Lavrov [1, 2].") == "Abdoulaye Diop"
    assert direct_part("") == ""
    long = "Le ministre malien des Affaires étrangères a adressé un long message de félicitations à son homologue [1]."
    assert direct_part(long) == ""  # a quoted sentence, not a direct answer


def test_a_unit_of_time_joined_to_another_word_is_not_a_length_of_time():
    """« 5 000 années-lumière » is a distance: it neither answers an age nor is set aside as a duration."""
    from kalan.rag.answer_types import holds_type

    s = "Un jet de plasma émerge du cœur et s'étend sur au moins 5 000 années-lumière."
    assert find_span("Et elle a quel âge ?", s, "number") is None
    span = find_span("Sur combien d'années-lumière s'étend le jet ?", s, "number")
    assert span is not None and span.text == "au moins 5 000 années-lumière"
    assert holds_type("number", "Sur combien d'années-lumière s'étend le jet ?", [s])
    assert find_span("Depuis combien de temps dure la guerre ?", "La guerre dure depuis cinq années déjà.",
                     "number").text == "cinq années"  # a plain unit of time is still one


@pytest.mark.parametrize("sentence, expected", [
    ("L'enveloppe s'étend sur un rayon d'environ 490 000 kilomètres.", "490 000 kilomètres"),
    ("Le pays est un partenaire clé, avec 12 accords signés.", "12 accords signés"),
    ("Il a visité une dizaine de pays.", "une dizaine de pays"),
    ("Elle contient une trentaine d'alcaloïdes toxiques.", "une trentaine d'alcaloïdes toxiques"),
])
def test_un_before_a_noun_is_an_article_unless_a_count_word_follows(sentence, expected):
    span = find_span("Combien ?", sentence, "number")
    assert span is not None and span.text == expected


def test_un_alone_before_a_noun_is_no_count():
    assert find_span("Il y a combien de partenaires ?", "Le Mali voit en Moscou un partenaire clé.", "number") is None


def test_a_count_stops_before_an_elided_clause():
    span = find_span("Combien de membres ?", "Le conseil compte 87 membres n'ayant jamais voté.", "number")
    assert span is not None and span.text == "87 membres"
    assert find_span("Combien ?", "Le 14 octobre 2025 n'est pas une date anodine.", "number") is None


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("Où a été initiée la Révolution industrielle ?",
     "La Révolution industrielle a été initiée au Royaume-Uni à la fin du XVIIIe siècle.", "Au Royaume-Uni"),
    ("Dans quelle région les tribus s'allièrent-elles ?",
     "Dans les Aurès, plusieurs tribus s'unirent contre les Ottomans.", "Dans les Aurès"),
    ("Dans quel pays a-t-on fêté l'Aïd ?", "L'Aïd correspondait au 2 novembre 2005 en Libye.", "En Libye"),
    ("Contre quel pays le Canada échoue-t-il ?", "Le Canada échoue contre la Finlande en demi-finale.",
     "Contre la Finlande"),
    ("Qui organise la Coupe du monde ?", "En 1996, la LNH organise une nouvelle compétition : la Coupe du monde.",
     "La LNH"),
    ("Où a-t-il vécu ?", "Il a vécu à l’Île Maurice pendant dix ans.", "À l’Île Maurice"),
])
def test_a_name_is_said_with_the_words_that_attach_it(question, sentence, expected):
    for parse in (False, True):  # read from the words (the default, no spaCy) or from the parse: the same
        span = attached(question, sentence, find_span(question, sentence), parse)
        assert span.framed == expected
        assert sentence[span.start:span.end] == span.text  # still the article's own characters


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    # « entre » and « près de » do not place by themselves; « à » is not the question's « de »
    ("Où naviguait le navire ?", "Il naviguait entre l'Italie et la Corse.", "L'Italie"),
    ("Où se trouve la base ?", "Les survivants se trouvent dans une base près de Manchester.", "Manchester"),
    ("De quel pays Berlin-Ouest faisait-il partie ?", "Berlin-Ouest appartenait à la République fédérale.",
     "La République fédérale"),
    # a person question takes no preposition it does not ask with
    ("Qui a écrit à Lavrov ?", "Le ministre malien, Abdoulaye Diop, a écrit à Sergueï Lavrov.", "Abdoulaye Diop"),
])
def test_a_name_takes_no_preposition_that_does_not_answer(question, sentence, expected):
    for parse in (False, True):
        assert attached(question, sentence, find_span(question, sentence), parse).framed == expected


@pytest.mark.parametrize(("question", "sentence", "words", "parsed"), [
    ("Qui surnomme-t-on le Pétain roumain ?", "Le maréchal Ion Antonescu fut surnommé le Pétain roumain.",
     "Ion Antonescu", "Le maréchal Ion Antonescu"),
    ("Pour qui Gesualdo arrange-t-il un mariage ?", "Gesualdo arrange un mariage pour son fils Emanuele.",
     "Emanuele", "Pour son fils Emanuele"),
    ("Qui a écrit à Lavrov ?", "Le ministre Abdoulaye Diop a écrit à Sergueï Lavrov.", "Abdoulaye Diop",
     "Le ministre Abdoulaye Diop"),
])
def test_only_the_parse_gives_the_title_a_name_stands_in_apposition_to(question, sentence, words, parsed):
    span = find_span(question, sentence)
    assert attached(question, sentence, span).framed == words
    assert attached(question, sentence, span, parse=True).framed == parsed


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Le sanctuaire accueille 100 000 personnes peuvent y prier.", "100 000 personnes"),
    ("Une relation que les deux gouvernements qualifient d'« exemplaire ».", "deux gouvernements"),
    ("Plus d'un millier d'étudiants maliens ont été formés.", "Plus d'un millier d'étudiants maliens"),
    # a phrase the verb governs is not what is counted; one the counted noun governs is
    ("Le prix des engrais a également baissé de 10 % par rapport à 2022.", "10 %"),
    ("Arlette Laguiller obtient 5,72 % des voix à l'élection présidentielle de 2002.", "5,72 % des voix"),
])
def test_a_count_ends_on_what_is_counted_not_on_the_verb_after_it(sentence, expected):
    span = counted(sentence, find_span("Combien ?", sentence, "number"))
    assert span.text == expected
    assert sentence[span.start:span.end] == span.text


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("Qui a écrit à Lavrov ?", DIOP, "Abdoulaye Diop, le ministre malien des Affaires étrangères"),
    ("Qui remporte la course ?", "Hans Herrmann, pilote allemand, remporte la course.", "Hans Herrmann, pilote allemand"),
    # told back to the question that says it, even through a derived word (« Mali » -> « malien »): not repeated
    ("qui est le ministre des affaires etrangeres du mali", DIOP, "Abdoulaye Diop"),
])
def test_a_person_is_said_with_what_the_sentence_says_they_are(question, sentence, expected):
    span = described(question, sentence, attached(question, sentence, find_span(question, sentence), parse=True))
    assert span.framed == expected
    assert span.text == "Abdoulaye Diop" or span.text == "Hans Herrmann"  # short_answer stays the name


def test_a_place_gets_no_description():
    sentence = "La réunion s'est tenue à Bamako, capitale du Mali, en octobre."
    span = find_span("Où s'est tenue la réunion ?", sentence)
    assert described("Où s'est tenue la réunion ?", sentence, span).framed == span.framed


def test_a_how_many_question_takes_a_count_of_what_it_counts():
    """``count_focus`` (``answer.count_focus``): « combien de X » is answered by a count that says X."""
    sentence = ("En 2019, plusieurs travaux sont réalisés à bord, notamment la création d'un restaurant au pont 7 "
                "et la réfection des cabines.")
    question = "Combien de cabines y a-t-il à bord ?"
    assert find_span(question, sentence, "number") is not None  # without it: « 7 », the deck's number
    assert find_span(question, sentence, "number", count_focus=True) is None
    counted = "Berlin compte environ 3,8 millions d'habitants, contre 1,3 million en 1871-1918."
    span = find_span("ca fait cmb d'habitants a berlin ?", counted, "number", count_focus=True)
    assert span is not None and span.text.endswith("3,8 millions d'habitants")


def test_a_how_many_question_on_a_measure_takes_its_number():
    """« combien de diamètre » asks a measure: a count whose unit is « de » the asked noun answers (« 100 mètres
    de diamètre »); a count of the noun itself still comes first."""
    measure = "Le bâtiment est un socle circulaire de 100 mètres de diamètre, construit en 1976."
    assert find_span("et elle fait combien de diametre ?", measure, "number", count_focus=True).text == "100 mètres"
    both = "La palette web compte 216 valeurs de couleurs, quand les écrans en affichaient 256 couleurs."
    assert find_span("combien de couleurs ?", both, "number", count_focus=True).text == "256 couleurs"


def test_count_focus_leaves_lengths_of_time_and_measures_alone():
    sentence = "Six décennies après l'indépendance, le navire mesure 188 mètres de long."
    assert find_span("Combien de temps après l'indépendance ?", sentence, "number", count_focus=True).text == \
        "Six décennies"
    assert "188" in find_span("Quelle est la longueur du navire ?", sentence, "number", count_focus=True).text


def test_the_time_between_two_dated_events_is_counted():
    """``elapsed``: each event's year from the sentence that says it, the years between them, both sentences
    given back (to be cited)."""
    from kalan.rag.short_answer import elapsed

    sentences = ["Puis, en 1755, les soldats britanniques conduisent à la bataille de Fort Beauséjour.",
                 "Les renforts mènent à la capitulation de Montréal en septembre 1760.",
                 "En 1763, le traité de Paris est signé."]
    found = elapsed("Montréal s'est rendue combien de temps après la bataille de Fort Beauséjour ?", sentences)
    assert found is not None
    span, used = found
    assert (span.text, span.framed, sorted(used)) == ("5 ans", "5 ans (de 1755 à 1760)", [0, 1])
    between = elapsed("Il s'est passé combien d'années entre la bataille de Fort Beauséjour et le traité de Paris ?",
                      sentences)
    assert between is not None and between[0].framed == "8 ans (de 1755 à 1763)"


def test_the_time_between_events_needs_both_dated_and_apart():
    from kalan.rag.short_answer import elapsed

    sentences = ["En 1755, la bataille de Fort Beauséjour a lieu.", "La capitulation de Montréal suit."]
    # the surrender is in no dated sentence: nothing is inferred (span_absent then refuses)
    assert elapsed("Montréal s'est rendue combien de temps après la bataille de Fort Beauséjour ?", sentences) is None
    # no second event named: not a question on the time between two events
    assert elapsed("La bataille de Fort Beauséjour a duré combien de temps ?", sentences) is None
    # four digits that count soldiers date nothing
    counted = ["La bataille de Fort Beauséjour oppose 1500 soldats en 1755.",
               "Montréal se rend avec 1760 soldats, dit le gouverneur."]
    assert elapsed("Montréal s'est rendue combien de temps après la bataille de Fort Beauséjour ?", counted) is None
    same = ["En 1755, la bataille de Fort Beauséjour a lieu et Montréal se rend."]
    assert elapsed("Montréal s'est rendue combien de temps après la bataille de Fort Beauséjour ?", same) is None


def test_how_long_one_thing_lasted_is_read_from_its_range_of_years():
    """``ranged``: the range said right after the question's words gives the length, « 1 an » in the singular."""
    from kalan.rag.short_answer import ranged

    s = ("Berlin a été successivement capitale de l'électorat du Brandebourg (1247-1701), du royaume de Prusse "
         "(1701-1871) et de l'Empire allemand (1871-1918).")
    found = ranged("berlin a ete la capitale du royaume de prusse pendant combien d'annees ?", [s], 8,
                   frozenset({"berlin"}))
    assert found is not None
    span, k = found
    assert (span.text, span.framed, k, s[span.start:span.end]) == ("170 ans", "170 ans (de 1701 à 1871)", [0],
                                                                    "1701-1871")
    later = ["Le traité est signé à Paris.", "La guerre de la Conquête dure de 1759 à 1760 dans la vallée."]
    assert ranged("La guerre de la Conquête a duré combien de temps ?", later, 8)[0].framed == "1 an (de 1759 à 1760)"
    assert ranged("Pendant combien d'années la guerre de la Conquête a-t-elle duré ?",
                  ["La guerre de la Conquête a lieu entre 1756 et 1763."], 8)[0].text == "7 ans"


def test_a_range_of_years_answers_no_other_question():
    from kalan.rag.short_answer import ranged

    s = "Herrmann participe de 1962 à 1965 à des courses mineures."
    # the question's words stand after the range, not before it: the range dates something else
    assert ranged("ca faisait combien d'annees qu'il faisait des courses ?", [s], 8, frozenset({"herrmann"})) is None
    # a range one of whose years the question gives is its landmark
    second = "Herrmann finit deuxième de 1968 à 1970."
    assert ranged("qd il finit deuxieme en 68, ca faisait combien d'annees qu'il courait ?", [second], 8) is None
    assert ranged("il a fini deuxieme pendant combien d'annees ?", [second], 8)[0].text == "2 ans"
    # « en 2014-2015 » names one season, not a length of time
    assert ranged("il a joue combien d'annees avec les Blues ?", ["Il joue avec les Blues en 2014-2015."], 8) is None
    # not a length of time, or the time between two events (``elapsed``'s job)
    assert ranged("En quelle année la guerre de la Conquête commence-t-elle ?",
                  ["La guerre de la Conquête dure de 1756 à 1763."], 8) is None
    assert ranged("La paix vient combien d'années après la guerre de la Conquête ?",
                  ["La guerre de la Conquête dure de 1756 à 1763."], 8) is None


def test_a_sum_asked_by_its_verb_is_answered_in_a_currency():
    """« … coûte combien ? » asks a sum: « 50 kilomètres » of the same sentence is no answer, « 1,1 milliard de
    dollars » is; « combien de X » and a price's change (« le prix a perdu combien ? ») keep their own reading."""
    where = "Le port de Ndayane, construit à 50 kilomètres au sud de Dakar, doit ouvrir en 2027."
    cost = "L'investissement atteint 1,1 milliard de dollars, soit 2 500 ouvriers sur le chantier."
    assert find_span("le nouveau port coute combien ?", where, "number", count_focus=True) is None
    assert find_span("le nouveau port coute combien ?", cost, "number", count_focus=True).text == \
        "1,1 milliard de dollars"
    assert find_span("il est paye combien ?", "Son salaire se montait à 187 millions de yens en 2009.", "number",
                     count_focus=True).text == "187 millions de yens"
    assert find_span("ca coute combien en euros ?", "Le billet vaut 1,7 million d'euros.", "number",
                     count_focus=True).text.endswith("d'euros")
    fell = "Le prix du lithium a chuté de près de 80 % depuis 2022."
    assert find_span("le prix du lithium a perdu combien ?", fell, "number", count_focus=True).text.endswith("80 %")
    assert find_span("le nouveau port coute combien ?", where, "number", count_focus=False) is not None  # option off


def test_the_asked_kind_of_fact_is_no_anchor():
    """« en quelle année » says what is asked, not what it is about: « années 1870 » is not near « année »;
    the date nearest the question's own words (« capture ») answers. A decade after « des » gets its article."""
    sentence = ("En juillet 1857, les tribus se rendent, et la capture de Lalla Fatma N'Soumer met un terme à la "
                "résistance ; mais les Kabyles se soulèveront encore jusqu'au début des années 1870.")
    assert find_span("et elle s'est fait capturer en quelle annee ?", sentence, "date").framed == "En juillet 1857"
    assert find_span("les kabyles se sont souleves jusqu'a quand ?", sentence, "date").framed == \
        "Dans les années 1870"


def test_a_question_that_says_a_person_role_takes_no_organisation():
    from kalan.rag import entities

    s = "Le lieutenant-gouverneur représente la Couronne dans chaque province du pays."
    start = s.index("la Couronne") + 3
    assert entities.remember(s, entities.encode([((start, start + len("Couronne"), "ORG"),)]))
    try:
        # a plain « qui » may be answered by an organisation (« qui explore le lithium ? » : a company) …
        assert find_span("Qui agit dans chaque province ?", s, "name").text == "Couronne"
        # … a role or a kind of person asks for a person, which this sentence does not name
        assert find_span("c qui le premier ministre du pays ?", s, "name") is None
        assert find_span("Quel chef représente chaque province ?", s, "name") is None
    finally:
        entities.forget_all()


def test_a_name_question_in_any_form_that_says_a_person_noun_takes_a_person():
    from kalan.rag import entities

    s = "Le président Modibo Keïta proclame l'indépendance à Bamako."
    per, loc = s.index("Modibo Keïta"), s.index("Bamako")
    assert entities.remember(s, entities.encode([((per, per + len("Modibo Keïta"), "PER"),
                                                  (loc, loc + len("Bamako"), "LOC"))]))
    try:
        # « comment s'appelle », « quel est le nom de »: no « qui », but a person noun — a place does not answer
        assert find_span("il s'appelait comment le premier président ?", s, "name").text == "Modibo Keïta"
        assert find_span("Quel est le nom du dirigeant qui proclame l'indépendance à Bamako ?", s,
                         "name").text == "Modibo Keïta"
        t = "L'indépendance est proclamée à Bamako."
        at = t.index("Bamako")
        assert entities.remember(t, entities.encode([((at, at + len("Bamako"), "LOC"),)]))
        assert find_span("il s'appelait comment le président qui l'a proclamée ?", t, "name") is None
        # without a person noun, any name still answers (« c'est quoi son nom, la ville ? »)
        assert find_span("elle s'appelle comment la ville de l'indépendance ?", t, "name").text == "Bamako"
    finally:
        entities.forget_all()


# event_attached (answer.event_window): a date or number answers the question's event only beside its words
def test_a_date_beside_another_event_is_not_attached_to_the_asked_one():
    sentence = ("Le mystère qui entoure Carlo Gesualdo est le même qui ombre les visages de ses contemporains, comme "
                "Le Caravage (1571-1610) et Christopher Marlowe (1564-1593).")
    question = "En quelle année Carlo Gesualdo est-il né ?"
    span = find_span(question, sentence, "date")
    assert span is not None and span.text == "1571"
    assert not event_attached(question, sentence, span, 8)
    assert event_attached(question, sentence, span, 40)  # a wider window reaches « Gesualdo »


@pytest.mark.parametrize("question, sentence, date, other", [
    ("gesualdo il est ne en quelle annee ?",
     "Carlo Gesualdo est né à Venosa en 1566, dans une famille de la haute noblesse napolitaine.", "1566", None),
    # « OMS » stems « om »: a two-letter stem is still a word of the question's event (« recommandé » is nine
    # words away, « (OMS) » one); « l'onu » is not
    ("l'oms l'a recommande quand ?", "Développé par l'université d'Oxford et fabriqué en Inde par le Serum Institute, "
     "le R21 a été recommandé par l'Organisation mondiale de la santé (OMS) en octobre 2023.", "octobre 2023",
     "l'onu l'a recommande quand ?"),
])
def test_a_date_beside_the_question_words_is_attached(question, sentence, date, other):
    span = find_span(question, sentence, "date")
    assert span is not None and span.text == date
    assert event_attached(question, sentence, span, 8)
    assert other is None or not event_attached(other, sentence, span, 8)


def test_the_sentence_leaning_on_the_span_s_sentence_counts_as_its_words():
    lead = "Le 14 octobre 2025 n’est pas une date anodine dans l’agenda diplomatique du Mali."
    leaning = "Ce jour marque le 65ᵉ anniversaire de l’établissement des relations diplomatiques."
    question = "le 65e anniversaire des relations tombe quel jour ?"
    span = find_span(question, lead, "date")
    assert span is not None
    assert not event_attached(question, lead, span, 8)
    assert event_attached(question, lead, span, 8, leaning)


def test_a_question_without_words_of_its_own_is_not_checked():
    sentence = "En 1813, les soldats de l’empereur durent refluer en deçà des Pyrénées."
    span = find_span("et c'etait qd ?", sentence, "date")
    assert span is not None and event_attached("et c'etait qd ?", sentence, span, 8)


def test_a_span_counts_the_spans_of_the_asked_kind_its_sentence_offered():
    question = "En quelle année le pont fut-il reconstruit ?"
    two = find_span(question, "Après les crues de 1910, le pont fut reconstruit en 1923.")
    one = find_span(question, "Le pont fut reconstruit en 1923.")
    assert two is not None and two.choices == 2
    assert one is not None and one.choices == 1 and one.text == "1923"


def test_a_month_alone_answers_a_date_question_after_any_fuller_date():
    """A news article dates by the month of its year (« à la fin du mois d'août »): the month is the span."""
    assert find_span("Quand la montée des eaux a-t-elle commencé ?",
                     "À Mopti, la montée des eaux a commencé à la fin du mois d'août.").framed == "En août"
    # a fuller date still wins
    assert find_span("Quand la crue a-t-elle commencé ?", "La crue a commencé le 28 août 2024.").text == "28 août 2024"
    assert find_span("Quand l'échec a-t-il eu lieu ?", "Un nouvel échec survient (février à mai 1809).").text == "mai 1809"
    # two months joined are a span: « En avril » would say half of it
    assert find_span("Quand la plante fleurit-elle ?", "La floraison a lieu d'avril à octobre.").framed == \
        "D'avril à octobre"
    assert find_span("Quand sont-elles tombées ?", "Entre avril et novembre, les villes tombèrent.").framed == \
        "Entre avril et novembre"
    # the span starts on its preposition whatever the spacing of the scraped text
    assert find_span("Quand pleut-il ?", "La pluie tombe de  mai à juin.").text == "de  mai à juin"
    # French writes months in lower case: a capitalised « Mars » is the planet
    assert find_span("Quand la sonde est-elle partie ?", "La sonde Mars Express est partie.") is None


def test_a_range_of_counts_is_one_span_and_a_span_of_years_is_none():
    """« trois à cinq ans » says both bounds: « 5 ans » alone would be a wrong fact in bold. « de 1962 à 1965 »
    dates, it counts nothing."""
    question = "Un arbre malade meurt en combien de temps ?"
    assert find_span(question, "Le cacaoyer, qui meurt en trois à cinq ans.").text == "trois à cinq ans"
    assert find_span(question, "Le cacaoyer meurt en 3 à 5 ans.").text == "3 à 5 ans"
    assert find_span("Combien de courses a-t-il faites ?", "Il court de 1962 à 1965 à Monza.") is None


def test_a_currency_in_capitals_stays_with_its_amount():
    """« 150 000 francs CFA »: the acronym is part of the unit, not a name after the count."""
    span = find_span("L'État donne combien par hectare ?", "Une aide de 150 000 francs CFA par hectare replanté.")
    assert span is not None and span.text == "150 000 francs CFA"
    # a capitalised word that is no acronym still ends the count
    assert find_span("Combien d'années ?", "Il y resta 12 ans Thomas compris.").text == "12 ans"


def test_a_name_and_its_acronym_in_parentheses_are_one_name():
    """« Centre national de recherche agronomique (CNRA) » offers one name, not two to choose between: the direct
    answer says it (two choices would withhold it, ``answer.direct_choices``)."""
    from kalan.rag import entities

    s = "Les plants sont produits par le Centre national de recherche agronomique (CNRA), à Abidjan."
    org, acr, loc = s.index("Centre"), s.index("CNRA"), s.index("Abidjan")
    assert entities.remember(s, entities.encode([((org, org + len("Centre national de recherche agronomique"), "ORG"),
                                                  (acr, acr + 4, "ORG"), (loc, loc + len("Abidjan"), "LOC"))]))
    try:
        span = find_span("qui fabrique les plants ?", s, "name")
        assert span is not None and span.choices == 1
        assert span.text == "Centre national de recherche agronomique (CNRA)"
        # two names apart stay two
        t = "Le CNRA et la SODEFOR travaillent ensemble."
        a, b = t.index("CNRA"), t.index("SODEFOR")
        assert entities.remember(t, entities.encode([((a, a + 4, "ORG"), (b, b + 7, "ORG"))]))
        assert find_span("qui travaille ?", t, "name").choices == 2
        # a place in parentheses is another place, not the same one's acronym
        u = "Il partage une frontière avec la France (Saint-Pierre-et-Miquelon) et avec le Danemark."
        f, p, d = u.index("France"), u.index("Saint-Pierre"), u.index("Danemark")
        assert entities.remember(u, entities.encode([((f, f + 6, "LOC"), (p, p + len("Saint-Pierre-et-Miquelon"), "LOC"),
                                                      (d, d + 8, "LOC"))]))
        assert find_span("Où le pays partage-t-il une frontière avec la France ?", u, "name").text == \
            "Saint-Pierre-et-Miquelon"
    finally:
        entities.forget_all()


def test_a_question_on_money_wants_a_count_in_a_currency():
    s = "Les bailleurs ont promis 14,3 milliards de dollars, et plus d'un millier d'étudiants ont été formés."
    assert find_span("combien d'argent a ete promis ?", s, "number", count_focus=True).text == \
        "14,3 milliards de dollars"
    students = "Plus d'un millier d'étudiants maliens ont été formés."
    assert find_span("ça rapporte combien d'argent ?", students, "number", count_focus=True) is None


def test_a_bare_number_after_en_counts_the_noun_en_stands_for():
    s = "« Sur cent arbres plantés, il en reste parfois vingt », reconnaît le chef de parcelle."
    # « cent » is the question's own 100 (in words), « vingt » counts the trees « en » stands for
    assert find_span("combien d'arbres survivent sur 100 ?", s, "number", count_focus=True).text == "vingt"
    assert find_span("combien de soldats ?", "Les soldats sont partis ; il en reste 300.", "number",
                     count_focus=True).text == "300"
    # no « en » before it: a bare number counts nothing asked
    assert find_span("combien de soldats ?", "Les soldats sont partis ; il reste 300.", "number",
                     count_focus=True) is None
    # « en » right before a number is a preposition (« en 2020 »), not the pronoun
    assert find_span("combien de soldats ?", "Les soldats arrivent en 2020.", "number", count_focus=True) is None
    # after a count, « en » stands for its noun: the train's « deux » counts days, not trains
    rail = "« Le camion met quatre jours pour aller à Dakar, le train en mettait deux », se souvient un grossiste."
    assert find_span("combien de trains circulent par jour ?", rail, "number", count_focus=True) is None
    assert find_span("et le train il mettait combien de jours ?", rail, "number", count_focus=True).text == "deux"
    # a year is no count: « en » after « en 2018, alors qu'il y » still stands for the communes
    norway = "La Norvège compte 422 communes en 2018, alors qu'il y en avait encore 747 en 1930."
    from kalan.rag.short_answer import _candidates

    found = [norway[a:b] for a, b in _candidates("number", "combien de communes en 1930 ?", norway, count_focus=True)]
    assert "747" in found and "422 communes" in found


def test_a_count_ends_before_the_next_clause_object_pronoun():
    s = "Selon l'exploitant, environ 300 000 voyageurs l'empruntent chaque jour ouvrable."
    assert find_span("Combien de voyageurs prennent le bus ?", s, "number").text == "environ 300 000 voyageurs"


def test_a_measure_counts_the_whole_word_after_its_de():
    # « CO2 » is one word: the tokens split its letters from its digits
    s = "L'exploitant estime que le réseau évite l'émission de 59 000 tonnes de CO2 par an."
    assert find_span("ça évite combien de CO2 ?", s, "number", count_focus=True).text == "59 000 tonnes"
    # an article's elision starts no such word: the chapels are not a count of floors
    s = "Dans les neuf chapelles de l'étage supérieur, on célèbre d'autres cérémonies."
    assert find_span("L'église a combien d'étages ?", s, "number", count_focus=True) is None

"""The words and codes extraction recognises, as data: one place to read or extend them.

Nothing here is logic. Every table says where it is used; a table marked *tuned* was fitted
on the development pages, and changing it means rerunning the benchmark it names.
"""

from __future__ import annotations

from types import MappingProxyType

# ---------------------------------------------------------------------------------------------
# Scripts (Unicode ranges, as regex character-class bodies)

KANA = "\u3040-\u30ff\u31f0-\u31ff"
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Every Hangul block: jamo, compatibility jamo, jamo extended A and B, syllables.
HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff"
# Scripts whose words are not separated by spaces: one character counts as one word (the
# convention of word processors' counts). Hangul is written with spaces, so it is not here.
UNSPACED_SCRIPTS = KANA + HAN

# Scripts shared by several languages, told apart by stop words (``STOP_WORDS``), or by
# which they name one language only by default.
LATIN = "A-Za-z\u00c0-\u024f"
CYRILLIC = "\u0400-\u04ff"
ARABIC = "\u0600-\u06ff\u0750-\u077f"
DEVANAGARI = "\u0900-\u097f"
# Every script the language detector counts letters of, by name.
SCRIPTS: MappingProxyType[str, str] = MappingProxyType(
    {
        "latin": LATIN,
        "cyrillic": CYRILLIC,
        "arabic": ARABIC,
        "devanagari": DEVANAGARI,
        "kana": KANA,
        "han": HAN,
        "hangul": HANGUL,
        "thai": "\u0e00-\u0e7f",
        "greek": "\u0370-\u03ff\u1f00-\u1fff",
        "hebrew": "\u0590-\u05ff",
        "georgian": "\u10a0-\u10ff",
        "armenian": "\u0530-\u058f",
        "bengali": "\u0980-\u09ff",
        "tamil": "\u0b80-\u0bff",
    }
)
# Scripts (``SCRIPTS`` names) that name their language, checked in this order: kana before
# Han (Japanese also writes Han). Latin or Cyrillic script is shared by many languages, so it
# names none.
SCRIPT_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("kana", "ja"),
    ("hangul", "ko"),
    ("thai", "th"),
    ("greek", "el"),
    ("hebrew", "he"),
    ("georgian", "ka"),
    ("armenian", "hy"),
)
# The scripts each language is written in (its text may mix them: Japanese kana with Han).
# A language with a script of its own here is detected by that script alone.
LANGUAGE_SCRIPTS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        **dict.fromkeys(
            ("en", "de", "fr", "es", "it", "pt", "nl", "id", "sv", "da", "no", "pl", "tr", "ro"),
            frozenset({"latin"}),
        ),
        **dict.fromkeys(("ru", "uk", "bg"), frozenset({"cyrillic"})),
        **dict.fromkeys(("ar", "fa", "ur"), frozenset({"arabic"})),
        "hi": frozenset({"devanagari"}),
        "ja": frozenset({"kana", "han"}),
        "zh": frozenset({"han"}),
        "ko": frozenset({"hangul", "han"}),
        "th": frozenset({"thai"}),
        "el": frozenset({"greek"}),
        "he": frozenset({"hebrew"}),
        "ka": frozenset({"georgian"}),
        "hy": frozenset({"armenian"}),
        "bn": frozenset({"bengali"}),
        "ta": frozenset({"tamil"}),
    }
)
# Scripts that, dominating a text, name its language without stop words: Han means Chinese
# unless kana says Japanese (see ``SCRIPT_LANGUAGES``), Devanagari Hindi, the largest press
# writing it.
SCRIPT_DEFAULT_LANGUAGES: MappingProxyType[str, str] = MappingProxyType(
    {"han": "zh", "devanagari": "hi", "bengali": "bn", "tamil": "ta"}
)

# The most frequent function words of each language that the stop-word detector knows
# (``extraction.language``); a word of two lists counts for both, so languages as close as
# Danish and Norwegian are told apart by the words they do not share. Tuned on the
# development pages: rerun ``python -m benchmarks language`` after changing them.
STOP_WORDS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        language: frozenset(words.split())
        for language, words in {
            "en": "the of and to in is that for it was on with as are be by this have from at "
            "not but they his her which has were their been would will an its who said or",
            "de": "der die und das ist nicht ein eine zu den mit sich des auf für im dem "
            "auch es an als wie bei oder nach wird aus sie sind hat noch wurde einen",
            "fr": "le la les et des est un une du en que qui dans pour pas sur au avec "
            "il ce sont par plus se ne elle mais ont aux été cette leur nous",
            "es": "el la los las de que y en un una es por con para del se no al lo "
            "como más pero sus su le ha este fue son también entre cuando muy",
            "it": "il di che la è e per un una non in del della gli le con si sono "
            "al da dei nel alla anche come ma più ha lo questo delle tra",
            "pt": "o a os as de que e do da em um uma para com não no na por se dos "
            "das mais como mas foi ao ele ela são também já pelo pela seu sua",
            "nl": "de het een en van is dat op te in zijn niet met voor die er aan "
            "ook als bij maar om dan wordt worden werd nog door naar hij zij",
            "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga "
            "ke ada adalah oleh karena bisa saat telah atau mereka sudah kami kita",
            "sv": "och att det som en på är av för med till den har inte om ett var "
            "men jag så sig kan från vid eller efter också när",
            "da": "og at det som en på er af for med til den har ikke om et var men "
            "jeg så sig kan fra ved eller efter også når blev havde",
            "no": "og at det som en på er av for med til den har ikke om et var men "
            "jeg så seg kan fra ved eller etter også når ble hadde",
            "pl": "i w na nie z się do że to jest o jak po a co ale za od przez dla "
            "jego już tak są był była może tym oraz",
            "tr": "ve bir bu da de için ile olarak daha çok gibi en olan ama kadar "
            "sonra ise değil her şey oldu göre ancak",
            "ro": "și de la în a cu care pe că nu un o din este pentru mai sunt fost "
            "au ca dar se acest această sau",
            "ru": "и в не на что с по как это он она из за к но то а от так для же "
            "его все было был была были который также уже",
            "uk": "і в не на що з по як це він вона із за до але та від так для же "
            "його все було був була були який також вже",
            "bg": "и в на не за да се от с е че по са като го но ще това той тя "
            "беше бяха който която също",
            "ar": "في من على أن إلى عن مع هذا التي الذي كان ما لا هذه قد وقال بعد "
            "كما بين أو عام ذلك",
            "fa": "و در به از که این را با است برای آن یک خود تا شد می بود شده کرد هم اما",
            "ur": "کے میں کی ہے اور سے کو نے کا ہیں پر یہ بھی تھا کہ ایک گیا",
            "hi": "के में की है और से को का एक पर यह भी नहीं कि लिए था ने हैं",
        }.items()
    }
)


# ---------------------------------------------------------------------------------------------
# Dates

# Zone abbreviations as news sites print them, with their UTC offsets in hours. An ambiguous
# one takes the reading of the largest English-language press using it here (IST: India's, as
# on Indian news sites) unless ``AMBIGUOUS_ZONES`` resolves it by the page's region.
TIMEZONE_OFFSETS: MappingProxyType[str, float] = MappingProxyType(
    {
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "UT": 0,
        "WET": 0,
        "WEST": 1,
        "BST": 1,
        "IST": 5.5,
        "CET": 1,
        "CEST": 2,
        "MET": 1,
        "MEST": 2,
        "EET": 2,
        "EEST": 3,
        "MSK": 3,
        "TRT": 3,
        "GST": 4,
        "PKT": 5,
        "NPT": 5.75,
        "BDT": 6,
        "ICT": 7,
        "WIB": 7,
        "HKT": 8,
        "SGT": 8,
        "PHT": 8,
        "MYT": 8,
        "AWST": 8,
        "JST": 9,
        "KST": 9,
        "ACST": 9.5,
        "ACDT": 10.5,
        "AEST": 10,
        "AEDT": 11,
        "NZST": 12,
        "NZDT": 13,
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "AKST": -9,
        "AKDT": -8,
        "HST": -10,
        "BRT": -3,
        "ART": -3,
        "SAST": 2,
        "WAT": 1,
        "CAT": 2,
        "EAT": 3,
        "MEZ": 1,
        "MESZ": 2,
    }
)

# Abbreviations that mean different offsets in different regions (ISO 3166 codes, as a page's
# ``lang="en-IE"``, its URL's country domain or its dateline's place state the region).
_ZONE_READINGS: dict[str, dict[str, float]] = {
    "IST": {"in": 5.5, "ie": 1, "il": 2},
    "CST": {"us": -6, "ca": -6, "mx": -6, "cn": 8, "tw": 8, "cu": -5},
    "BST": {"gb": 1, "uk": 1, "bd": 6},
    "GST": {"ae": 4, "om": 4, "gs": -2},
}
AMBIGUOUS_ZONES: MappingProxyType[str, MappingProxyType[str, float]] = MappingProxyType(
    {zone: MappingProxyType(readings) for zone, readings in _ZONE_READINGS.items()}
)

# Places a dateline names, and the region whose reading of an ambiguous zone they imply.
PLACE_REGIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "new delhi": "in",
        "delhi": "in",
        "mumbai": "in",
        "kolkata": "in",
        "chennai": "in",
        "bengaluru": "in",
        "bangalore": "in",
        "hyderabad": "in",
        "india": "in",
        "dublin": "ie",
        "cork": "ie",
        "galway": "ie",
        "ireland": "ie",
        "jerusalem": "il",
        "tel aviv": "il",
        "israel": "il",
        "beijing": "cn",
        "shanghai": "cn",
        "china": "cn",
        "taipei": "tw",
        "havana": "cu",
        "chicago": "us",
        "dallas": "us",
        "houston": "us",
        "austin": "us",
        "minneapolis": "us",
        "st. louis": "us",
        "new orleans": "us",
        "winnipeg": "ca",
        "mexico city": "mx",
        "london": "gb",
        "manchester": "gb",
        "dhaka": "bd",
        "dubai": "ae",
        "abu dhabi": "ae",
    }
)

# Month names of the languages whose pages write dates in words, with common abbreviations.
# English also comes month first ("October 30, 2024"); the others day first ("30 oktober 2024",
# "30. Oktober 2024", "30 de octubre de 2024").
MONTH_NAMES: tuple[str, ...] = (
    "jan january januar jänner janvier enero gennaio januari janeiro",
    "feb february februar février fevrier febrero febbraio februari fevereiro",
    "mar march märz maerz mars marzo maart março",
    "apr april avril abril aprile",
    "may mai mayo maggio mei maio",
    "jun june juni juin junio giugno junho",
    "jul july juli juillet julio luglio julho",
    "aug august août aout agosto augustus",
    "sep sept september septembre septiembre setiembre settembre setembro",
    "oct october oktober octobre octubre ottobre outubro okt",
    "nov november novembre noviembre novembro",
    "dec december dezember décembre decembre diciembre dicembre dezembro dez",
)

# ---------------------------------------------------------------------------------------------
# Credits

# Wire agencies: credited by name when they are the only credit an article has.
WIRE_AGENCIES: tuple[str, ...] = (
    "AFP",
    "AP",
    "Associated Press",
    "Reuters",
    "PTI",
    "IANS",
    "ANI",
    "UNI",
    "dpa",
    "EFE",
    "Xinhua",
    "Kyodo",
    "Yonhap",
    "ANSA",
    "AAP",
    "Bloomberg",
    "TASS",
    "Anadolu",
    "PA",
    "CP",
    "NTB",
    "TT",
    "ANP",
    "Belga",
)
# Words of a credit that make it a role, not a person: "AP Auto Writer", "Special Correspondent".
ROLE_WORDS: tuple[str, ...] = (
    "writer",
    "correspondent",
    "editor",
    "reporter",
    "columnist",
    "contributor",
    "staff",
    "special to",
)
# Lower-case words that belong in names ("Ludwig van Beethoven"); any other one means prose.
NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "du", "da", "di", "del", "della", "dos", "das", "la", "le"}
    | {"bin", "bint", "al", "el", "ibn", "ten", "ter", "e", "zu", "st."}
)
NOT_AUTHORS = frozenset({"author", "authors", "staff", "admin", "by", "editor", "unknown"})
# Words that open a wire-style lead or a label in capitals but name no place.
NOT_PLACES = frozenset(
    {
        "BREAKING",
        "UPDATE",
        "UPDATED",
        "EXCLUSIVE",
        "WATCH",
        "ANALYSIS",
        "LIVE",
        "PHOTOS",
        "VIDEO",
        "EDITOR'S NOTE",
        "NOTE",
        "PUBLISHED",
        "POSTED",
        "DATELINE",
    }
)

# ---------------------------------------------------------------------------------------------
# Structured data

# schema.org types of an article, of the page holding one, and of its publisher.
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "SatiricalArticle",
        "ScholarlyArticle",
        "TechArticle",
        "Report",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "DiscussionForumPosting",
        "Review",
    }
)
PAGE_TYPES = frozenset({"WebPage", "ItemPage", "AboutPage", "CollectionPage"})
PUBLISHER_TYPES = frozenset({"NewsMediaOrganization", "Organization", "Corporation", "WebSite"})

# ``<meta>`` keys (``property``, ``name``, ``itemprop`` or ``http-equiv``, lower-cased) for each
# field, most reliable first.
META_KEYS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "title": ("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title"),
        "subtitle": ("og:description", "description", "twitter:description", "dc.description"),
        "published": (
            "article:published_time",
            "og:article:published_time",
            "article:published",
            "datepublished",
            "parsely-pub-date",
            "sailthru.date",
            "dcterms.issued",
            "dc.date.issued",
            "dcterms.created",
            "dc.date",
            "date",
            "pubdate",
            "publishdate",
            "publish-date",
            "publication_date",
            "article.published",
            "cxenseparse:recs:publishtime",
        ),
        "modified": (
            "article:modified_time",
            "og:article:modified_time",
            "og:updated_time",
            "datemodified",
            "dcterms.modified",
            "dc.date.modified",
            "article.updated",
            "last-modified",
        ),
        "authors": (
            "author",
            "article:author",
            "parsely-author",
            "sailthru.author",
            "dc.creator",
            "dcterms.creator",
            "byl",
            "cxenseparse:author",
        ),
        "publisher": (
            "og:site_name",
            "publisher",
            "dc.publisher",
            "dcterms.publisher",
            "application-name",
        ),
        "url": ("og:url", "twitter:url", "parsely-link"),
        "section": (
            "article:section",
            "og:article:section",
            "parsely-section",
            "section",
            "article.section",
        ),
        "tags": ("article:tag", "news_keywords", "keywords", "parsely-tags", "sailthru.tags"),
        "image": (
            "og:image",
            "og:image:url",
            "og:image:secure_url",
            "twitter:image",
            "twitter:image:src",
        ),
        # After <html lang>, which CMS templates leave at "en_US" less often than og:locale.
        "language": ("content-language", "dc.language", "language", "og:locale"),
    }
)

# ``itemprop`` names (lower-cased) and the field each fills.
MICRODATA_FIELDS: MappingProxyType[str, str] = MappingProxyType(
    {
        "headline": "title",
        "alternativeheadline": "subtitle",
        "datepublished": "published",
        "datemodified": "modified",
        "author": "authors",
        "creator": "authors",
        "publisher": "publisher",
        "articlesection": "section",
        "keywords": "tags",
        "inlanguage": "language",
    }
)

# Class names that mark a byline, a date line or a dateline (substrings, lower case).
BYLINE_HINTS: tuple[str, ...] = ("byline", "author", "contributor")
DATE_HINTS: tuple[str, ...] = ("date", "time", "publish", "posted")

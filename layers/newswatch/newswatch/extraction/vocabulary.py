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

# Scripts that name their language, checked in this order: kana before Han (Japanese also
# writes Han). Latin or Cyrillic script is shared by many languages, so it names none.
SCRIPT_LANGUAGES: tuple[tuple[str, str], ...] = (
    (KANA, "ja"),
    (HANGUL, "ko"),
    ("\u0e00-\u0e7f", "th"),
    ("\u0370-\u03ff\u1f00-\u1fff", "el"),
    ("\u0590-\u05ff", "he"),
    ("\u10a0-\u10ff", "ka"),
    ("\u0530-\u058f", "hy"),
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

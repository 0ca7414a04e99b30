"""Body extraction keeps the article's paragraphs and leaves out everything around them."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from newswatch.extraction.body import Body, extract_body

FIXTURES = Path(__file__).parent / "fixtures" / "body"


def body_of(name: str, *, title: str | None = None) -> Body:
    html = (FIXTURES / name).read_text(encoding="utf-8")
    return extract_body(lxml.html.document_fromstring(html), title=title)


def test_inline_related_story_links_between_paragraphs_are_left_out() -> None:
    body = body_of("inline-related-links.html", title="Seoul weighs arms for Kyiv")
    text = "\n\n".join(body.paragraphs)
    assert body.paragraphs[0].startswith("South Korea said on Wednesday")
    assert body.paragraphs[-1].startswith("The United States said")
    assert len(body.paragraphs) == 4
    for boilerplate in (
        "South Korean intelligence says North is sending troops",
        "Related stories",
        "Russia and North Korea sign a pact",
        "Top News Today",
        "Home",
        "Copyright",
        "Seoul weighs arms for Kyiv",
        "Share it with a friend",
        "October 30, 2024",
        "More great stories",
        "Markets wobble",
        "Subscribe to our newsletters",
    ):
        assert boilerplate not in text


def test_a_long_comments_section_is_not_the_article() -> None:
    body = body_of("long-comments.html")
    assert [p[:20] for p in body.paragraphs] == [
        "The city council app",
        "The budget raises sp",
        "The mayor said the p",
    ]


def test_a_paywall_teaser_gives_the_free_paragraphs_without_the_prompt() -> None:
    body = body_of("paywall-teaser.html")
    text = "\n\n".join(body.paragraphs)
    assert text.startswith("Carmakers idled factories")
    assert "decades of squeezing inventories" in text
    assert "Sign in to unlock" not in text
    assert "Subscribe" not in text


def test_a_live_blog_keeps_every_post_and_its_heading() -> None:
    body = body_of("live-blog.html")
    text = "\n\n".join(body.paragraphs)
    for heading in (
        "Polls close in the east",
        "First results in Georgia",
        "Long queues in Arizona",
    ):
        assert heading in body.paragraphs
    assert text.index("Polls have closed") < text.index("Early returns") < text.index("Voters")
    assert "Share on Facebook" not in text
    assert "Politics" not in text


def test_an_amp_page_gives_its_paragraphs_and_the_lead_image_caption() -> None:
    body = body_of("amp-page.html", title="Floods hit the north")
    assert [p[:20] for p in body.paragraphs] == ["Heavy rain flooded h", "Emergency services e"]
    assert body.image_caption == "The river burst its banks on Sunday."


def test_captions_stay_out_of_the_text() -> None:
    html = (
        "<html><body><article><figure><img src='a.jpg'><figcaption>"
        "Rescuers at the site on Thursday.</figcaption></figure>"
        "<p>Rescuers searched the rubble through the night, and found"
        " two survivors before dawn, officials said on Thursday.</p></article></body></html>"
    )
    body = extract_body(lxml.html.document_fromstring(html))
    assert body.paragraphs == [
        "Rescuers searched the rubble through the night, and found two survivors before dawn,"
        " officials said on Thursday."
    ]
    assert body.image_caption == "Rescuers at the site on Thursday."


@pytest.mark.parametrize(
    ("html", "paragraphs"),
    [
        (
            "<html><body><article class='post'>"
            + "<p>Deep text goes here, in one paragraph.</p>" * 3,
            ["Deep text goes here, in one paragraph."] * 3,
        ),
        # libxml2 drops what lies beyond its depth limit (parse_html refuses such a page as
        # too-deep); here the point is that the walk over the tree it does build cannot recurse.
        ("<html><body>" + "<div>" * 100_000 + "<p>A deeply nested paragraph of words.</p>", []),
    ],
    ids=["unclosed", "100000-deep"],
)
def test_pathological_trees_do_not_crash(html: str, paragraphs: list[str]) -> None:
    tree = lxml.html.document_fromstring(html)
    assert extract_body(tree).paragraphs == paragraphs


def test_a_page_without_text_gives_no_paragraphs() -> None:
    html = "<html><head><script>var a = 1;</script></head><body><div></div></body></html>"
    assert extract_body(lxml.html.document_fromstring(html)) == Body(paragraphs=[])


@pytest.mark.parametrize(
    "paragraphs",
    [
        [
            "서울 정부는 수요일 우크라이나에 무기를 보내는 것을 검토한다고 밝혔다, 파병 보도 이후.",
            "국방부는 대표단이 키이우를 방문해 정보를 공유한다고 말했다, 대응을 검토한다.",
        ],
        [
            "東京都は三十日、新しい防災計画を発表した。計画では、避難所の数を増やし、備蓄も見直す。",
            "都の担当者は「住民の安全を第一に考えた」と話した。計画は来年四月から実施される予定だ。",
        ],
        [
            "Правительство Южной Кореи в среду заявило, что рассматривает поставки оружия Украине.",
            "Министерство обороны сообщило, что делегация посетит Киев, чтобы обменяться данными.",
        ],
    ],
    ids=["korean", "japanese", "russian"],
)
def test_non_latin_text_is_extracted_like_english(paragraphs: list[str]) -> None:
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><div class='article'>{}</div>"
        "<div class='ranking'><ul><li><a href='/1'>Most read one</a></li>"
        "<li><a href='/2'>Most read two</a></li></ul></div></body></html>"
    )
    tree = lxml.html.document_fromstring(html.format("".join(f"<p>{p}</p>" for p in paragraphs)))
    assert extract_body(tree).paragraphs == paragraphs


SAMPLES = Path(__file__).parents[1] / "samples"


def test_the_reference_page_gives_the_article_and_nothing_around_it() -> None:
    html = (SAMPLES / "thehindu-2024-10-30-ukraine-south-korea.html").read_text(encoding="utf-8")
    body = extract_body(lxml.html.document_fromstring(html))
    text = "\n\n".join(body.paragraphs)
    assert body.paragraphs[0].startswith("Ukrainian President Volodymyr Zelenskyy said on Tuesday")
    assert body.paragraphs[-1].startswith("News of the leaders’ telephone call came just after")
    assert "unprecedented and dangerous" in text
    assert "North Korean soldiers to Russia" in text
    for boilerplate in (
        "Related stories",
        "Top News Today",
        "Sign in to unlock",
        "Comments have to be in English",
        "South Korean intelligence says North is sending troops",
        "South Korea will consider supplying arms",
        "Photo Credit",
    ):
        assert boilerplate not in text
    assert body.image_caption is not None and body.image_caption.startswith("A TV screen shows")


def test_an_article_split_by_ad_slots_is_kept_whole() -> None:
    segment = (
        "<div class='segment'><div class='text'><p>Paragraph {n} of the story says something"
        " long enough to be a real paragraph, with a clause, and another clause.</p>"
        "<p>Its second paragraph {n} adds detail, quotes an official, and ends the thought.</p>"
        "</div></div><div class='slot'>Advertisement</div>"
    )
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><article><h1>Headline</h1>"
        + "".join(segment.format(n=n) for n in range(1, 4))
        + "</article><div class='more'><a href='/x'>Another story entirely</a></div></body></html>"
    )
    body = extract_body(lxml.html.document_fromstring(html), title="Headline")
    assert [p.split()[1] for p in body.paragraphs if p.startswith("Paragraph")] == ["1", "2", "3"]
    assert len(body.paragraphs) == 6


def test_wrappers_named_like_boilerplate_that_hold_the_article_are_kept() -> None:
    article = "".join(
        f"<p>Paragraph {n} of a story, long enough to be text and not a label, it says.</p>"
        for n in range(6)
    )
    html = (
        "<html><body><nav><a href='/'>Home</a></nav>"
        + "<div class='theiaStickySidebar content-with-sidebar'>" * 200
        + article
        + "</div>" * 200
        + "<div class='sidebar'><p>Most read: a story from elsewhere on the site.</p></div>"
        + "</body></html>"
    )
    body = extract_body(lxml.html.document_fromstring(html))
    assert len(body.paragraphs) == 6
    assert all(p.startswith("Paragraph") for p in body.paragraphs)


def test_labels_at_the_edges_and_staff_and_photo_credits_are_not_text() -> None:
    story = [
        "Asian shares rose on Tuesday as investors bet that trade talks would go on, while the"
        " dollar held near a two-week high against the yen.",
        "Oil prices fell after three days of gains, with Brent crude futures down 0.4 percent.",
    ]
    html = (
        "<html><body><div class='story'><div>Advert</div>"
        + f"<p>{story[0]}</p><p>Photo by A. Person/Getty Images</p><p>{story[1]}</p>"
        + "<p>(Reporting by A. Writer; Editing by B. Editor)</p>"
        + "<p>Keith Bradsher contributed reporting from Hong Kong.</p>"
        + "<div>Topics</div></div></body></html>"
    )
    assert extract_body(lxml.html.document_fromstring(html)).paragraphs == story


def test_a_closing_wire_credit_stays_for_the_byline() -> None:
    story = (
        "Talks on the ceasefire will resume next week in Geneva, the mediators said on Friday,"
        " after a first round ended without an agreement."
    )
    html = f"<html><body><div class='story'><p>{story}</p><p>AFP</p></div></body></html>"
    assert extract_body(lxml.html.document_fromstring(html)).paragraphs == [story, "AFP"]


def test_a_link_that_shows_its_address_is_text_a_headline_link_is_not() -> None:
    story = (
        "The museum reopens on Saturday after a two-year renovation, with a new wing for"
        " the photography collection and longer opening hours."
    )
    html = (
        f"<html><body><div class='story'><p>{story}</p>"
        "<p><a href='https://example.org/tickets'>https://example.org/tickets</a></p>"
        "<p><a href='/other'>City museum names a new director after a long search</a></p>"
        f"<p>{story}</p></div></body></html>"
    )
    paragraphs = extract_body(lxml.html.document_fromstring(html)).paragraphs
    assert paragraphs == [story, "https://example.org/tickets", story]


def test_an_embedded_post_is_quoted_text_while_share_buttons_are_not() -> None:
    story = (
        "The governor defended the campaign on Tuesday, saying it had people talking about"
        " a problem the state had ignored for too long."
    )
    tweet = "The campaign is working: everyone is talking about it."
    html = (
        f"<html><body><div class='entry-content'><p>{story}</p>"
        f"<div class='social-media-embed'><blockquote class='twitter-tweet'><p>{tweet}</p>"
        "</blockquote></div>"
        "<div class='social-share'><p>Share this on Facebook, X and by email.</p></div>"
        f"<p>{story}</p></div></body></html>"
    )
    paragraphs = extract_body(lxml.html.document_fromstring(html)).paragraphs
    assert paragraphs == [story, tweet, story]


def test_the_lead_caption_may_sit_above_the_body_but_inside_the_article() -> None:
    paragraph = (
        "<p>Rescuers searched the rubble through the night, and found two survivors before"
        " dawn, officials said on Thursday.</p>"
    )
    html = (
        "<html><body><figure><figcaption>An unrelated promo picture on the home page"
        "</figcaption></figure><article><h1>Quake</h1><figure><img src='a.jpg'><figcaption>"
        "Rescuers at the collapsed school on Thursday.</figcaption></figure>"
        f"<div class='text'><div>{paragraph * 3}</div></div></article></body></html>"
    )
    body = extract_body(lxml.html.document_fromstring(html))
    assert len(body.paragraphs) == 3
    assert body.image_caption == "Rescuers at the collapsed school on Thursday."


def test_a_paragraph_in_a_script_without_spaces_is_not_a_label() -> None:
    # Japanese writes no spaces between words: counting spaces would make the closing
    # paragraph (which ends in an agency credit, not a full stop) a two-"word" label.
    paragraphs = [
        "政府は繰り返し主張しているが、専門家は攻撃を行う能力を維持していると指摘している。",
        "地元当局者は事件後に現場で調査を行い、被害の全容を明らかにしたと述べた。",
        "政府は対策を強化すると述べたが、分析者は状況が改善していないと指摘している。(c)AFP/Aminu",
    ]
    html = (
        "<html><body><div class='story'>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "<div>関連記事</div></div></body></html>"
    )
    body = extract_body(lxml.html.document_fromstring(html))
    assert body.paragraphs == paragraphs


def test_a_video_carousel_inside_the_article_is_not_text() -> None:
    # Carousels and playlists list other stories' titles as plain text (no links to give
    # them away), often inside the article's own container.
    story = (
        "The former president left the courtroom on Monday after four hours of testimony,"
        " telling reporters the case against his company was a disgrace."
    )
    titles = "".join(f"<div>Watch what happened next in story number {n}</div>" for n in range(4))
    paragraphs = f"<p>{story}</p>" * 6
    html = (
        "<html><body><article><div class='article__main'><div class='video-inline_carousel'>"
        f"<div class='video-playlist'>{titles}</div></div>{paragraphs}"
        "</div></article></body></html>"
    )
    assert extract_body(lxml.html.document_fromstring(html)).paragraphs == [story] * 6


@pytest.mark.parametrize("wrapper", ["header", "aside"])
def test_a_story_wrapped_in_a_furniture_tag_is_still_the_story(wrapper: str) -> None:
    # Some sites put the whole page in <header> or the story in <aside>. A menu may have more
    # characters than a short story, but the story has the page's prose.
    story = (
        "Frank Witzel won the German Book Prize on Monday for a novel about the old Federal"
        " Republic, the booksellers' association said in Frankfurt."
    )
    menu = "".join(f"<li><a href='/s{n}'>Section {n} of the site</a></li>" for n in range(40))
    html = (
        f"<html><body><header class='site-head'><nav><ul>{menu}</ul></nav></header>"
        f"<main><{wrapper} class='content'><h1>Book prize</h1><p>{story}</p><p>{story}</p>"
        f"</{wrapper}><aside class='most-read'><p>Most read: a story from elsewhere on the site,"
        " with a sentence.</p></aside></main></body></html>"
    )
    assert extract_body(lxml.html.document_fromstring(html)).paragraphs == [story, story]


def test_a_subheading_is_text_whatever_its_anchor_id_says() -> None:
    # Table-of-contents anchors are slugs ("nav_only_the_foil_remains"), not roles; a heading
    # that introduced furniture goes anyway, as a heading left with nothing under it.
    story = (
        "The batteries are first discharged, then taken apart by hand before the cells go into"
        " a shredder filled with nitrogen, the managing director said."
    )
    html = (
        f"<html><body><div class='article-content'><p>{story}</p>"
        "<h3 class='subheading' id='nav_only_the_foil_remains'>Only the foil remains</h3>"
        f"<p>{story}</p><h3 class='related-title'>Related</h3>"
        "<div class='related'><a href='/a'>Another story on the site</a></div>"
        "</div></body></html>"
    )
    assert extract_body(lxml.html.document_fromstring(html)).paragraphs == [
        story,
        "Only the foil remains",
        story,
    ]


def test_an_author_box_inside_the_article_is_not_text() -> None:
    story = (
        "The rally drew thousands of fans to the arena on Saturday, and the organisers said"
        " they would hold it again next year in a larger hall."
    )
    html = (
        f"<html><body><div class='entry-content'>{f'<p>{story}</p>' * 4}"
        "<div class='author-box'><p>Sam Writer covers games and culture for the site, and"
        " you can keep up with him on his blog, where he writes every week.</p></div>"
        "</div></body></html>"
    )
    assert extract_body(lxml.html.document_fromstring(html)).paragraphs == [story] * 4


def test_an_article_split_by_embedded_posts_is_kept_whole() -> None:
    # Each part of the story sits in its own container between embedded posts; the posts'
    # own links ("View this post", the author) must not make the story's wrapper look like
    # a list of links, or only one part would be the article.
    part = (
        "<div class='paragraph'><div>"
        + "".join(
            f"<p>Part {n} of the story: the singer celebrated with her old friends on Saturday,"
            " and the band said the night was one of the best they had.</p>"
            for n in range(2)
        )
        + "</div></div>"
    )
    embed = (
        "<blockquote class='instagram-media'><div><a href='https://ig.example/p/1'>View this"
        " post on Instagram</a></div><p><a href='https://ig.example/p/1'>A post shared by The"
        " Band (@theband)</a> on Jun 16, 2019 at 7:30am PDT</p></blockquote>"
    )
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><article><div class='article__content'>"
        f"{part}{embed}{part}{embed}{part}</div></article></body></html>"
    )
    paragraphs = extract_body(lxml.html.document_fromstring(html)).paragraphs
    assert [p[:6] for p in paragraphs if p.startswith("Part")] == ["Part 0", "Part 1"] * 3


@pytest.mark.parametrize("label", ["Advert", "Anzeige", "Publicité", "Реклама", "広告"])
def test_an_ad_slot_label_between_paragraphs_is_not_text(label: str) -> None:
    story = (
        "Die Bahn will im kommenden Jahr mehr Züge einsetzen, sagte ein Sprecher am Montag,"
        " nachdem Fahrgäste monatelang über Ausfälle geklagt hatten."
    )
    sentence = "Anzeige gegen Unbekannt wurde am Dienstag erstattet, teilte die Polizei mit."
    html = (
        f"<html><body><div class='story'><p>{story}</p><div>{label}</div><p>{story}</p>"
        f"<p>{sentence}</p><p>{story}</p></div></body></html>"
    )
    paragraphs = extract_body(lxml.html.document_fromstring(html)).paragraphs
    assert paragraphs == [story, story, sentence, story]


def _story_with(extra: str) -> str:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the report on the harbour works says the council will vote on "
        f"the budget in spring, after the survey of the sea wall is done.</p>"
        for n in range(6)
    )
    return f"<html><body><article>{paragraphs}{extra}</article></body></html>"


@pytest.mark.parametrize(
    "hidden",
    [
        '<span class="hidden"><span itemprop="url">http://example.com/img.jpeg</span>'
        "<span>1200</span> <span>676</span> jdadmin 2018-10-12 06:43:54</span>",
        '<div style="display: none">Highlight the text and press Ctrl+Enter to report it</div>',
        '<p class="d-none">Archive reference 191119052250266, kept with the page for the print '
        "edition and its index.</p>",
    ],
)
def test_text_the_page_itself_hides_is_not_body(hidden: str) -> None:
    body = extract_body(lxml.html.document_fromstring(_story_with(hidden)))
    text = "\n\n".join(body.paragraphs)
    assert len(body.paragraphs) == 6
    for leaked in ("jdadmin", "1200", "Ctrl+Enter", "191119052250266"):
        assert leaked not in text


def test_responsive_and_large_hidden_parts_stay_body() -> None:
    """ "hidden-xs" shows on larger screens; a hidden remainder that is much of the story is
    the story (revealed by "read more")."""
    remainder = "".join(
        f"<p>Hidden paragraph {n} goes on with the council's plan for the harbour and its "
        f"costs, which the mayor defended at length on Tuesday evening.</p>"
        for n in range(4)
    )
    page = _story_with(
        '<p class="hidden-xs">A line for larger screens about the harbour works and the '
        "council's vote, long enough to be a paragraph.</p>"
        f'<div class="hidden">{remainder}</div>'
    )
    text = "\n\n".join(extract_body(lxml.html.document_fromstring(page)).paragraphs)
    assert "A line for larger screens" in text
    assert "Hidden paragraph 3" in text


def test_a_sentence_whose_names_are_links_is_body_and_a_linked_title_is_not() -> None:
    sentence = (  # seven tenths of it links
        '<p><a href="/people/van-der-beek">James Van Der Beek</a> was voted off '
        '<a href="/tv/dwts">Dancing with the Stars</a> by <a href="/people/goodman">Len '
        "Goodman</a>.</p>"
    )
    teaser = (
        '<p>Also: <a href="/tv/other">The finalists of Dancing with the Stars announce a tour '
        "of forty cities</a></p>"
    )
    text = "\n\n".join(
        extract_body(lxml.html.document_fromstring(_story_with(sentence + teaser))).paragraphs
    )
    assert "James Van Der Beek was voted off Dancing with the Stars by Len Goodman." in text
    assert "forty cities" not in text


@pytest.mark.parametrize(
    "furniture",
    [
        '<p class="jetpack-slideshow-noscript robots-nocontent">This slideshow requires '
        "JavaScript, which your browser has turned off for this page.</p>",
        '<div class="grid-container next-prev"><p>Audi shows its second electric vehicle, '
        "the E-Tron Sportback, at the motor show in Los Angeles.</p></div>",
        # Site notices: short boxes linking to two of the site's legal pages.
        '<div class="box"><p>We welcome a lively and useful discussion, and so that we need not'
        " review comments before they appear, please read our "
        '<a href="/community_guidelines.html">guidelines</a>. Anything you post may be used with'
        ' your name and picture under our <a href="/privacy.html">privacy policy</a> and the'
        ' <a href="/terms.html">terms of use</a> of this site.</p></div>',
        '<p>By signing up you agree to our <a href="https://example.com/terms-of-use">Terms of'
        ' Use</a> and <a href="https://example.com/privacy-policy/">Privacy Policy</a>.</p>',
    ],
)
def test_furniture_named_or_linked_as_not_content_is_left_out(furniture: str) -> None:
    body = extract_body(lxml.html.document_fromstring(_story_with(furniture)))
    assert len(body.paragraphs) == 6


@pytest.mark.parametrize(
    "label",
    [
        "<p>Tempo de leitura: 1 minuto</p>",
        "<p>5 min read</p>",
        "<p>Reading time: 3 minutes</p>",
        "<h3>You may also like...</h3>",
        '<div class="RenderKeyPoints-wrapper"><ul><li>Emirates buys 30 Boeing 787-9 jets at '
        "the Dubai Air Show, executives of both companies said on Wednesday.</li></ul></div>",
    ],
)
def test_labels_and_summaries_around_the_story_are_left_out(label: str) -> None:
    """Between paragraphs, where trimming the story's ends would not take them."""
    page = _story_with("").replace("</p><p>Paragraph 3", f"</p>{label}<p>Paragraph 3")
    body = extract_body(lxml.html.document_fromstring(page))
    assert len(body.paragraphs) == 6


def test_a_paragraph_reporting_on_a_privacy_policy_stays() -> None:
    reporting = (
        "<p>The company changed its <a href='https://social.example/privacy'>privacy policy</a>"
        " on Monday, and regulators in Dublin said they would study the new terms closely.</p>"
    )
    body = extract_body(lxml.html.document_fromstring(_story_with(reporting)))
    assert len(body.paragraphs) == 7

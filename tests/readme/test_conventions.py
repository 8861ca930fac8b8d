"""The README test's reading of README.md: which blocks run, which are skipped and why, and the
conventions it enforces (every fence names its language; a skip marker has a reason and sits
right before its ```sh block). The walkthroughs themselves run in readme.walkthroughs."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_readme  # noqa: E402

SOURCE_DIR = os.environ.get("R53SIM_SOURCE_DIR", os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


def parse(text):
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write(text)
    try:
        return run_readme.parse_readme(f.name)
    finally:
        os.unlink(f.name)


def test_blocks_carry_their_section_line_and_marker():
    blocks, problems = parse("# Top\n\n```sh\necho one\n```\n\n## Later\n\n"
                             "<!-- readme-test: skip (needs Docker) -->\n```sh\ndocker ps\n```\n\n"
                             "```text\noutput\n```\n")
    assert problems == []
    assert [(b.lang, b.heading, b.line, b.skip) for b in blocks] == [
        ("sh", "Top", 3, None), ("sh", "Later", 10, "needs Docker"), ("text", "Later", 14, None)]
    assert blocks[0].first_line() == "echo one"
    assert blocks[1].where() == 'README.md:10 (section "Later")'


def test_a_fence_without_a_language_is_refused():
    _, problems = parse("```\nwhat is this\n```\n")
    assert len(problems) == 1 and problems[0].startswith("README.md:1: a block without a language")


def test_a_marker_needs_a_reason_and_must_touch_its_block():
    _, problems = parse("<!-- readme-test: skip -->\n```sh\nx\n```\n")
    assert problems == ["README.md:1: a readme-test marker must read "
                        "<!-- readme-test: skip (reason) -->"]
    _, problems = parse("<!-- readme-test: skip (slow) -->\nsome prose\n\n```sh\nx\n```\n")
    assert problems == ["README.md:2: a skip marker must come right before its block"]
    _, problems = parse("<!-- readme-test: skip (slow) -->\n```text\nx\n```\n")
    assert problems == ["README.md:2: a skip marker before a ```text block (only ```sh blocks run)"]


def test_the_failing_command_is_named_even_inside_an_assignment():
    trace = "+ R53='aws route53'\n++ aws route53 create-hosted-zone --name x\nerror\n+ ZONE=\n"
    assert run_readme.last_command(trace) == "aws route53 create-hosted-zone --name x"
    assert run_readme.last_command("+ curl -s http://x/\n") == "curl -s http://x/"


def test_the_readme_itself_follows_the_conventions_and_runs_its_walkthroughs():
    blocks, problems = run_readme.parse_readme(os.path.join(SOURCE_DIR, "README.md"))
    assert problems == []
    runnable = [b for b in blocks if b.lang == "sh" and not b.skip]
    sections = {b.heading for b in runnable}
    # The walkthroughs a newcomer follows are run, not skipped.
    assert {"r53sim", "Admin API", "Route 53 REST API", "Using it in tests"} <= sections, sections
    skipped = [b for b in blocks if b.skip]
    assert all(b.skip.strip() for b in skipped)
    # Keep them few; four are docker blocks, whose steps tests/docker/ runs against the image.
    assert len(skipped) <= 10, [b.where() for b in skipped]

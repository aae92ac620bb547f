"""The harness checks itself: outside requests are blocked and recorded, CSP violations
reach the console-error list, and axe-core finds a planted violation. Without these a
green journey could mean a blind harness."""

from __future__ import annotations

from browsing import axe_findings, guarded_context


def test_outside_requests_are_blocked_and_csp_violations_are_seen(browser, base_url):
    context, guard = guarded_context(browser, base_url)
    try:
        page = context.new_page()
        page.goto("/konto/logga-in/")
        page.evaluate(
            """() => new Promise(done => {
                const img = document.createElement('img');
                img.alt = '';
                img.onerror = img.onload = () => done();
                img.src = 'https://cdn.example.com/pixel.png';
                document.body.append(img);
                const inline = document.createElement('script');
                inline.textContent = 'window.inlineRan = true';
                document.body.append(inline);
            })"""
        )
        assert any("cdn.example.com" in url for url in guard.blocked), guard.blocked
        assert page.evaluate("window.inlineRan === undefined"), "CSP let an inline script run"
        errors = guard.take_console_errors()
        assert any("Content Security Policy" in e for e in errors), errors
        assert guard.problems() and not guard.console_errors
    finally:
        context.close()


def test_axe_finds_a_planted_violation(browser, base_url):
    context, _guard = guarded_context(browser, base_url)
    try:
        page = context.new_page()
        page.goto("/konto/logga-in/")
        page.evaluate("document.querySelector('#id_username').removeAttribute('id')")
        page.evaluate("document.documentElement.removeAttribute('lang')")
        rules = {finding.check for finding in axe_findings(page, "harness")}
        assert {"html-has-lang", "label"} <= rules, rules
    finally:
        context.close()

"""The docs page in headless Chromium (Debian's package, driven by Playwright) against `make run`'s stack: every
surface's operations are listed from the served OpenAPI document, and "Try it out" reaches the local API."""
import pytest
import requests

SURFACES = {"Accounts", "Recordings", "Nearby", "Content requests", "Coaching", "Dialogues"}


@pytest.fixture(scope="module")
def page(local_stack, browser):
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{local_stack.base_url}/docs")
    page.wait_for_selector(".opblock")
    yield page
    page.close()


def _operations_by_tag(document: dict) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set] = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            found.setdefault(operation["tags"][0], set()).add((method.upper(), path))
    return found


def test_the_docs_page_lists_every_operation_of_every_surface(local_stack, page):
    document = requests.get(f"{local_stack.base_url}/openapi.json", timeout=10).json()
    expected = _operations_by_tag(document)
    assert set(expected) >= SURFACES

    listed: dict[str, set] = {}
    for section in page.locator(".opblock-tag-section").all():
        tag = section.locator(".opblock-tag").get_attribute("data-tag")
        listed[tag] = {(block.locator(".opblock-summary-method").inner_text().strip(),
                        block.locator(".opblock-summary-path").get_attribute("data-path"))
                       for block in section.locator(".opblock").all()}
    assert listed == expected


def test_try_it_out_on_the_projects_list_gets_an_answer_from_the_local_stack(page):
    operation = page.locator(".opblock-get:has(.opblock-summary-path[data-path='/api/projects'])")
    operation.locator(".opblock-summary-control").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()

    status = operation.locator(".live-responses-table .response .response-col_status")
    status.wait_for()
    assert status.inner_text().strip() == "200"
    body = operation.locator(".live-responses-table .response-col_description pre").first.inner_text()
    assert '"success": true' in body

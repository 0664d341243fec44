#!/usr/bin/python3
"""check-book.py - the web book, checked the way a reader sees it.

  check-book.py --links SITEDIR...   (make book) every href and src of every
                                     page resolves: the file exists, and the
                                     #id names an element of it; and no
                                     option lost a hyphen to typography
                                     ("--userns" shown as a dash and
                                     "userns"). Standard library only.
  check-book.py WEBDIR               (make check-book) the links as above,
                                     then every chapter of the four
                                     editions (WEBDIR/book, book-instructor,
                                     worksheets, worksheets-instructor) in
                                     headless Chromium at 375 and 1280 px:
      - nothing overflows the viewport, except inside a scrolling box (a
        code block, a table, a trace);
      - every image and inline SVG has decoded (a non-zero size);
      - at 1280 px, every code block shows 80 columns without scrolling;
      - every #link and sidebar entry lands on an element of the page;
      - no console errors;
      - on a phone the sidebar is a menu its button opens; on a laptop the
        section being read is highlighted in it;
      - the search box finds "pivot_root" and "CAP_SYS_ADMIN", and the
        first result lands on its element;
      - the trace viewer (make view) draws one lane per pid of the start
        sequence, the UTS demo's namespace change as two bands, and the
        arrow keys move the current event; and make view of every recorded
        trace (book/transcripts/*.json) draws one lane per pid, no errors;
    then three broken fixture pages (an overflowing code block, broken
    links, a missing image) that must each FAIL, so a check that stopped
    seeing anything fails too; and epubcheck on the four EPUBs. Screenshots of each page's first screen go
    to build/screens/. Exit 1 and one line per problem on failure.

Needs Debian's chromium, chromium-driver and python3-selenium (make book-deps).
"""

import html.parser
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse

WIDTHS = (375, 1280)
EDITIONS = ("book", "book-instructor", "worksheets", "worksheets-instructor")
HEIGHT = 800


# ---- static: every link and resource resolves ----


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.refs.append((tag, a[key]))


_pages = {}


def parse(path):
    if path not in _pages:
        p = Page()
        with open(path, encoding="utf-8") as f:
            p.feed(f.read())
        _pages[path] = p
    return _pages[path]


def check_links(dirs):
    """Problems with the links of every .html under dirs, one line each."""
    problems = []
    for d in dirs:
        for base, _, files in os.walk(d):
            for name in sorted(files):
                if name.endswith(".html"):
                    problems += links_of(os.path.join(base, name))
    return problems


# "--userns" after smart punctuation: an en or em dash glued to a word.
DASHED_OPTION = re.compile("(?:^|[\\s(>])([\u2013\u2014][a-z][a-z-]*)")


def links_of(path):
    problems = []
    with open(path, encoding="utf-8") as f:
        for m in DASHED_OPTION.finditer(f.read()):
            problems.append(f"{path}: \"{m.group(1)}\": an option's \"--\" became a dash (pandoc -f markdown-smart)")
    for tag, ref in parse(path).refs:
        url = urllib.parse.urlsplit(ref)
        if url.scheme in ("http", "https", "mailto"):
            continue  # outside links: not followed offline
        if url.scheme:
            problems.append(f"{path}: <{tag}> {ref}: not a link a reader can follow offline")
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(path), urllib.parse.unquote(url.path))) if url.path else path
        if not os.path.exists(target):
            problems.append(f"{path}: <{tag}> {ref}: lands nowhere: no such file {target}")
        elif url.fragment and target.endswith(".html"):
            if urllib.parse.unquote(url.fragment) not in parse(target).ids:
                problems.append(f"{path}: <{tag}> {ref}: lands nowhere: no id=\"{url.fragment}\" in {target}")
    return problems


# ---- in the browser ----

# Elements wider than the viewport, outside a box that scrolls or clips.
OVERFLOW_JS = """
const vw = document.documentElement.clientWidth, out = [], seen = new Set();
const clipped = (e) => {
  for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
  }
  return false;
};
for (const e of document.body.querySelectorAll('*')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || e.closest('svg') && e.tagName.toLowerCase() !== 'svg') continue;
  let inside = false; // only the outermost of an overflowing tree is named
  for (let p = e.parentElement; p && !inside; p = p.parentElement) inside = seen.has(p);
  if (inside) continue;
  if ((r.right > vw + 1 || r.left < -1) && !clipped(e) && getComputedStyle(e).position !== 'fixed')
    seen.add(e), out.push(`<${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''}> `
      + `${Math.round(r.left)}..${Math.round(r.right)} px in a ${vw} px viewport: `
      + JSON.stringify((e.textContent || '').trim().slice(0, 60)));
}
if (document.documentElement.scrollWidth > vw + 1) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide in a ${vw} px viewport`);
return out.slice(0, 5);
"""

IMAGES_JS = """
const out = [];
for (const i of document.images)
  if (!i.complete || i.naturalWidth === 0) out.push(`<img src="${i.getAttribute('src')}">: not decoded`);
for (const s of document.querySelectorAll('svg')) {
  if (s.parentElement.closest('svg')) continue;
  let b = {width: 0, height: 0};
  try { b = s.getBBox(); } catch (e) {}
  const r = s.getBoundingClientRect();
  const hidden = s.closest('[hidden]') || getComputedStyle(s).display === 'none';
  if (!hidden && (b.width === 0 || b.height === 0 || r.width === 0))
    out.push(`<svg ${s.getAttribute('aria-label') || s.getAttribute('class') || ''}>: nothing drawn (${b.width}x${b.height})`);
}
return out;
"""

# On a laptop screen a code block shows 80 columns without scrolling.
COLUMNS_JS = """
const out = [];
for (const pre of document.querySelectorAll('#content pre')) {
  const probe = document.createElement('code');
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre';
  probe.textContent = 'x'.repeat(80);
  pre.append(probe);
  const need = probe.getBoundingClientRect().width, cs = getComputedStyle(pre);
  const have = pre.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  probe.remove();
  if (have + 0.5 < need) { out.push(`a code block shows ${Math.floor(80 * have / need)} of 80 columns`); break; }
}
return out;
"""

ANCHORS_JS = """
const out = [];
for (const a of document.querySelectorAll('a[href^="#"]')) {
  const id = decodeURIComponent(a.getAttribute('href').slice(1));
  if (id && !document.getElementById(id)) out.push(`link ${a.getAttribute('href')} (${JSON.stringify(a.textContent.trim().slice(0, 40))}) lands nowhere`);
}
return out;
"""


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1400,900"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def set_width(drv, width):
    # The viewport itself, exactly (the window's frame varies): DevTools'
    # device metrics, as its device toolbar sets them.
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})


def console_errors(drv):
    return [f"console: {e['message']}" for e in drv.get_log("browser") if e["level"] == "SEVERE"]


def load(drv, path):
    """PATH in the browser, after discarding the console's messages so far:
    the pages visited in between (a search result's chapter) are not this
    page's errors."""
    drv.get_log("browser")
    drv.get("file://" + os.path.abspath(path))


def check_page(drv, path, width, shots=None):
    """Problems of one page at one width (and its screenshot)."""
    set_width(drv, width)
    load(drv, path)
    time.sleep(0.2)
    problems = console_errors(drv)
    problems += drv.execute_script(OVERFLOW_JS)
    problems += drv.execute_script(IMAGES_JS)
    problems += drv.execute_script(ANCHORS_JS)
    if width >= 1024:
        problems += drv.execute_script(COLUMNS_JS)
    if shots:
        edition = os.path.basename(os.path.dirname(path))
        name = os.path.splitext(os.path.basename(path))[0]
        drv.save_screenshot(os.path.join(shots, f"{edition}-{name}-{width}.png"))
    return [f"{path} at {width} px: {p}" for p in problems]


def check_dark(drv, web, shots):
    """The system's dark setting followed: a dark page, and its screenshot."""
    set_width(drv, 1280)
    drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        drv.get("file://" + os.path.abspath(f"{web}/book/what-is-a-container.html"))
        drv.execute_script("document.querySelector('figure.diagram').scrollIntoView()")
        time.sleep(0.2)
        drv.save_screenshot(os.path.join(shots, "dark-what-is-a-container-1280.png"))
        bg = drv.execute_script("return getComputedStyle(document.body).backgroundColor")
    finally:
        drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    # rgb(r, g, b): dark means every channel below half
    channels = [int(c) for c in bg[bg.index("(") + 1:bg.index(")")].split(",")[:3]]
    return [] if max(channels) < 128 else [f"dark mode: the page background is {bg}"]


def check_current_section(drv, web):
    """Reading a section highlights its entry in the sidebar."""
    set_width(drv, 1280)
    drv.get("file://" + os.path.abspath(f"{web}/book/namespaces.html"))
    target = drv.execute_script("return document.querySelectorAll('#sidebar .sections a')[2].getAttribute('href')")
    drv.execute_script("document.getElementById(arguments[0].slice(1)).scrollIntoView();"
                       "window.dispatchEvent(new Event('scroll')); document.dispatchEvent(new Event('scroll'))", target)
    time.sleep(0.2)
    active = drv.execute_script("const a = document.querySelector('#sidebar a.active'); return a && a.getAttribute('href')")
    return [] if active == target else [f"current section: at {target} the sidebar highlights {active}"]


def check_menu(drv, web, shots):
    """On a phone the sidebar is a menu: hidden, then shown by its button."""
    from selenium.webdriver.common.by import By

    set_width(drv, 375)
    drv.get("file://" + os.path.abspath(f"{web}/book/namespaces.html"))
    shown = "return document.getElementById('sidebar').getBoundingClientRect().width > 0"
    before = drv.execute_script(shown)
    drv.find_element(By.ID, "menu").click()
    after = drv.execute_script(shown)
    drv.save_screenshot(os.path.join(shots, "book-menu-375.png"))
    if before or not after:
        return [f"menu at 375 px: sidebar shown {before} before the button, {after} after"]
    return []


def check_search(drv, web):
    from selenium.webdriver.common.by import By

    problems = []
    set_width(drv, 1280)
    for term in ("pivot_root", "CAP_SYS_ADMIN"):
        drv.get("file://" + os.path.abspath(f"{web}/book/index.html"))
        box = drv.find_element(By.ID, "search")
        box.send_keys(term)
        hits = drv.find_elements(By.CSS_SELECTOR, "#search-results a")
        titles = [h.text for h in hits]
        if not any(term.lower() in t.lower() for t in titles):
            problems.append(f"search: '{term}' finds nothing with it in the title ({titles[:5]})")
            continue
        href = hits[0].get_attribute("href")
        hits[0].click()
        time.sleep(0.2)
        frag = urllib.parse.urlsplit(href).fragment
        if frag and not drv.execute_script("return !!document.getElementById(arguments[0])", urllib.parse.unquote(frag)):
            problems.append(f"search: '{term}': the first result {href} lands nowhere")
        print(f"check-book: search '{term}': {len(hits)} results, first {titles[0]!r}")
    return problems


def open_view(drv, page, trace, label, wait):
    """A make view PAGE of TRACE opened: its problems (console errors, not
    one lane per pid of the trace), each named LABEL, and its lanes' pids."""
    with open(trace) as f:
        pids = {json.loads(line)["pid"] for line in f if line.strip()}
    load(drv, page)
    time.sleep(wait)
    problems = [f"{label}: {p}" for p in console_errors(drv)]
    lanes = drv.execute_script("return [...document.querySelectorAll('.lane')].map(l => Number(l.dataset.pid))")
    if sorted(lanes) != sorted(pids):
        problems.append(f"{label}: lanes for pids {sorted(lanes)}, the trace has pids {sorted(pids)}")
    return problems, lanes


def check_viewer(drv, shots):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.action_chains import ActionChains

    problems = []
    set_width(drv, 1280)
    for name in ("05-timings", "01-uts"):
        page = f"build/view-{name}.html"
        found, lanes = open_view(drv, page, f"book/transcripts/{name}.json", page, 0.3)
        problems += found
        bands = drv.execute_script("return [...new Set([...document.querySelectorAll('.band[data-ns=uts]')].map(b => b.dataset.value))]")
        if name == "01-uts" and len(bands) != 2:
            problems.append(f"{page}: UTS bands {bands}: expected two, the host's and the child's")
        before = drv.execute_script("return document.querySelector('.trace-view').dataset.current")
        ActionChains(drv).send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_RIGHT).perform()
        after = drv.execute_script("return [document.querySelector('.trace-view').dataset.current,"
                                   " document.querySelector('.mark.current').dataset.index]")
        if before != "0" or after != ["2", "2"]:
            problems.append(f"{page}: arrow keys: current event {before} then {after}, expected 0 then 2")
        drv.save_screenshot(os.path.join(shots, f"view-{name}-1280.png"))
        print(f"check-book: {page}: {len(lanes)} lanes, uts bands {len(bands)}, arrows {before} -> {after[0]}")
    return problems


# Pages that must fail, and a word the failure must contain: a check that
# passes them sees nothing. Each is a real chapter with one thing broken.
FIXTURES = {
    "overflow": ("<style>pre { overflow: visible !important; }</style>",
                 "<pre><code>" + "x" * 200 + "</code></pre>", "viewport"),
    "link": ("", '<p><a href="#no-such-section">a</a> <a href="no-such-page.html">b</a></p>', "lands nowhere"),
    "image": ("", '<p><img src="no-such-diagram.svg" alt="missing"></p>', "not decoded"),
}


def check_every_trace(drv, tmp):
    """make view for the JSON trace of every recorded run (every lesson
    program the book shows, and nutshell run's): the page opens without a
    console error and draws one lane per pid of its trace."""
    import glob
    import subprocess

    problems, traces = [], sorted(glob.glob("book/transcripts/*.json") + glob.glob("book/transcripts/v2/*.json"))
    set_width(drv, 1280)
    for trace in traces:
        page = os.path.join(tmp, "view.html")
        run = subprocess.run(["scripts/book.sh", "view", trace, page], capture_output=True, text=True)
        if run.returncode != 0:
            problems.append(f"make view TRACE={trace}: exit {run.returncode}: {run.stderr.strip()}")
            continue
        problems += open_view(drv, page, trace, f"make view TRACE={trace}", 0.05)[0]
    print(f"check-book: make view of {len(traces)} recorded traces (book/transcripts): {len(problems)} problems")
    return problems


def check_fixtures(drv, web):
    problems = []
    with open(f"{web}/book/namespaces.html", encoding="utf-8") as f:
        page = f.read()
    for name, (head, body, word) in FIXTURES.items():
        path = f"{web}/book/fixture-{name}.html"
        with open(path, "w", encoding="utf-8") as f:
            f.write(page.replace("</head>", head + "</head>").replace('<main id="content">', '<main id="content">' + body))
        try:
            found = links_of(path) + check_page(drv, path, 375)
        finally:
            os.unlink(path)
        for p in found:
            print(f"check-book: fixture {name}: fails as it must: {p}")
        if not any(word in p for p in found):
            problems.append(f"{path}: a broken page ({name}) passed the checks (no \"{word}\")")
    return problems


def check_epubs():
    """epubcheck's errors about the four EPUBs (make book-deps installs it)."""
    import subprocess

    jar = "/usr/share/java/epubcheck.jar"
    if not os.path.exists(jar):
        return ["epubcheck is not installed (make book-deps)"]
    problems = []
    for name in ("book", "book-instructor", "worksheets", "worksheets-instructor"):
        run = subprocess.run(["java", "-jar", jar, f"build/{name}.epub"], capture_output=True, text=True)
        lines = (run.stdout + run.stderr).splitlines()
        problems += [f"build/{name}.epub: {l}" for l in lines if l.startswith(("ERROR", "FATAL"))][:5]
        summary = [l for l in lines if l.startswith("Messages:")]
        print(f"check-book: epubcheck build/{name}.epub: {summary[0] if summary else run.returncode}")
        if run.returncode != 0 and not problems:
            problems.append(f"build/{name}.epub: epubcheck exited {run.returncode}")
    return problems


def main(argv):
    if len(argv) > 1 and argv[1] == "--links":
        problems = check_links(argv[2:])
        for p in problems:
            print(f"book: {p}", file=sys.stderr)
        return 1 if problems else 0
    web = argv[1] if len(argv) > 1 else "build/web"
    shots = "build/screens"
    os.makedirs(shots, exist_ok=True)
    start = time.time()
    problems = check_links([f"{web}/{d}" for d in EDITIONS])
    # All four editions: the instructor's pages carry notes the others lack.
    chapters = sorted(os.path.join(f"{web}/{d}", p) for d in EDITIONS
                      for p in os.listdir(f"{web}/{d}") if p.endswith(".html") and not p.startswith("fixture-"))
    # Chromium leaves its profile's singleton socket directory in TMPDIR:
    # one of our own, removed after, so that nothing stays in /tmp.
    tmp = tempfile.mkdtemp(prefix="nutshell-check-book.")
    os.environ["TMPDIR"] = tmp
    try:
        drv = browser()
    except Exception as err:  # no chromium, driver or selenium: say which
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"check-book: cannot start headless Chromium (make book-deps): {err}".strip(), file=sys.stderr)
        return 1
    try:
        for path in chapters:
            for width in WIDTHS:
                problems += check_page(drv, path, width, shots)
        problems += check_dark(drv, web, shots)
        problems += check_menu(drv, web, shots)
        problems += check_current_section(drv, web)
        problems += check_search(drv, web)
        problems += check_viewer(drv, shots)
        problems += check_every_trace(drv, tmp)
        problems += check_fixtures(drv, web)
    finally:
        drv.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    problems += check_epubs()
    for p in problems:
        print(f"check-book: {p}", file=sys.stderr)
    print(f"check-book: {len(chapters)} pages (book and worksheets, both editions) at {' and '.join(map(str, WIDTHS))} px, "
          f"screenshots in {shots}/, {len(problems)} problems, {time.time() - start:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

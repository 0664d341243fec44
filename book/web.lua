-- web.lua: the book as a web site, one page per chapter (pandoc 2.17 has no
-- chunked HTML writer, so this filter writes the pages itself).
--
--   pandoc -f markdown-smart -t html ...filters... --lua-filter=book/web.lua \
--     -M site=build/web/book -M edition="Book" -o /dev/null BOOK.md
--
-- writes SITE/index.html (the first chapter) and SITE/ID.html for each other
-- level-1 heading, through the template book/web.html, with:
--   - section numbers (-M number-sections=true), the same on every page;
--   - a sidebar of the chapters and the current chapter's sections, and
--     previous/next links;
--   - links to "#id" on another page rewritten to "page.html#id";
--   - diagrams (an image NAME.svg alone in a paragraph) as inline SVG, so
--     they scale and follow the dark mode of web.css;
--   - each included block's file (book/include-code.lua) linked to a page of
--     that source file, SITE/../src/FILE.html, at the first line shown;
--   - SITE/search.js: section titles and glossary terms for the search box.
-- The assets (web.css, web.js, viewer.js) are copied to SITE/.. by make.

local site, template, numbered, base
local meta_title, edition = "", ""

local function fail(msg)
  io.stderr:write("book: " .. msg .. "\n")
  os.exit(1)
end

local function read(path)
  local f = io.open(path, "r") or fail(path .. ": cannot read")
  local text = f:read("a")
  f:close()
  return text
end

local function write(path, text)
  local f = io.open(path, "w") or fail(path .. ": cannot write")
  f:write(text)
  f:close()
end

local function esc(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local function html_of(inlines)
  return pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "html"):gsub("\n", " ")
end

local function meta_true(v)
  return v == true or (v ~= nil and pandoc.utils.stringify(v) == "true")
end

-- ---- chapters and numbers ----

-- Splits the blocks at level-1 headings; blocks before the first go with it.
local function chapters_of(blocks)
  local chapters = {}
  for _, b in ipairs(blocks) do
    if b.t == "Header" and b.level == 1 or #chapters == 0 then
      chapters[#chapters + 1] = { blocks = {} }
    end
    table.insert(chapters[#chapters].blocks, b)
  end
  for i, ch in ipairs(chapters) do
    local h = ch.blocks[1]
    ch.id = h.t == "Header" and h.identifier or "start"
    ch.file = i == 1 and "index.html" or (ch.id .. ".html")
    ch.header = h.t == "Header" and h or nil
  end
  return chapters
end

-- "3.2 " before a heading's text, as pandoc --number-sections would, but
-- counted over the whole book rather than per page.
local function number_headings(chapters)
  local count = { 0, 0, 0 }
  for _, ch in ipairs(chapters) do
    local in_numbered = false
    for _, b in ipairs(ch.blocks) do
      if b.t == "Header" and b.level <= 3 then
        local unnumbered = b.classes:includes("unnumbered")
        if b.level == 1 then
          in_numbered = not unnumbered
        end
        if numbered and in_numbered and not unnumbered then
          count[b.level] = count[b.level] + 1
          for l = b.level + 1, 3 do
            count[l] = 0
          end
          local parts = {}
          for l = 1, b.level do
            parts[#parts + 1] = tostring(count[l])
          end
          local num = table.concat(parts, ".")
          table.insert(b.content, 1, pandoc.Space())
          table.insert(b.content, 1,
            pandoc.Span({ pandoc.Str(num) }, pandoc.Attr("", { "header-section-number" })))
        end
      end
    end
  end
end

-- ---- ids, links, search ----

local function slug(s)
  return (s:lower():gsub("[^%w]+", "-"):gsub("^-", ""):gsub("-$", ""))
end

-- Glossary terms get ids ("term-pivot-root") so search results can link them.
local function glossary_ids(ch, search)
  if ch.id ~= "glossary" then
    return
  end
  for _, b in ipairs(ch.blocks) do
    if b.t == "DefinitionList" then
      for _, item in ipairs(b.content) do
        local text = pandoc.utils.stringify(item[1])
        local id = "term-" .. slug(text)
        item[1] = { pandoc.Span(item[1], pandoc.Attr(id, { "term" })) }
        search[#search + 1] = { text, ch.file .. "#" .. id, "glossary" }
      end
    end
  end
end

-- Every id on every page: id -> file.
local function id_map(chapters)
  local where = {}
  for _, ch in ipairs(chapters) do
    pandoc.walk_block(pandoc.Div(ch.blocks), {
      Header = function(el) where[el.identifier] = ch.file end,
      Div = function(el) if el.identifier ~= "" then where[el.identifier] = ch.file end end,
      Span = function(el) if el.identifier ~= "" then where[el.identifier] = ch.file end end,
      CodeBlock = function(el) if el.identifier ~= "" then where[el.identifier] = ch.file end end,
    })
  end
  return where
end

-- ---- diagrams and source files ----

local svg_count = 0

-- An SVG file inline: no XML declaration, DOCTYPE or comments, ids
-- prefixed (two diagrams on one page would share Graphviz's "node1"), and
-- sized by CSS from its viewBox.
local function inline_svg(path, caption)
  svg_count = svg_count + 1
  local svg = read(path)
  svg = svg:gsub("<%?xml.-%?>", ""):gsub("<!DOCTYPE.->", ""):gsub("<!%-%-.-%-%->", "")
  local prefix = "d" .. svg_count .. "-"
  svg = svg:gsub(' id="', ' id="' .. prefix):gsub('href="#', 'href="#' .. prefix)
  svg = svg:gsub('url%(#', 'url(#' .. prefix)
  -- Graphviz writes width="620pt" height="400pt": keep the width as the
  -- largest size, let the height follow the viewBox.
  svg = svg:gsub("<svg(.-)>", function(attrs)
    local w = attrs:match(' width="([%d.]+)pt"') or "600"
    attrs = attrs:gsub(' width="[^"]*"', ""):gsub(' height="[^"]*"', "")
    return '<svg' .. attrs .. ' role="img" aria-label="' .. esc(pandoc.utils.stringify(caption))
      .. '" style="max-width:' .. w .. 'pt">'
  end, 1)
  return pandoc.RawBlock("html", '<figure class="diagram">' .. svg:gsub("^%s+", "")
    .. "<figcaption>" .. html_of(caption) .. "</figcaption></figure>")
end

local sources_written = {}

-- SITE/../src/FILE.html: the whole file, numbered; line N is id "L-N".
local function source_page(path)
  if sources_written[path] then
    return
  end
  sources_written[path] = true
  local lang = path:match("%.[ch]$") and "c" or path:match("%.sh$") and "bash" or "text"
  local code = pandoc.CodeBlock(read(path), pandoc.Attr("L", { lang, "numberLines" }))
  local depth = select(2, path:gsub("/", "")) + 1
  local up = string.rep("../", depth)
  local doc = pandoc.Pandoc({ pandoc.Header(1, { pandoc.Code(path) }), code }, {
    pagetitle = path, booktitle = meta_title, root = up, source = "true",
  })
  local out = site .. "/../src/" .. path .. ".html"
  os.execute("mkdir -p '" .. out:gsub("/[^/]*$", "") .. "'")
  write(out, pandoc.write(doc, "html", { template = template }))
end

local function source_label(div)
  local path, marker, line = div.attributes.file, div.attributes.marker, div.attributes.line
  source_page(path)
  local html = '<p class="source-label"><a href="../src/' .. esc(path) .. ".html#L-" .. line
    .. '">' .. esc(path) .. "</a>"
  if marker ~= "" then
    html = html .. ' <span class="marker">' .. esc(marker) .. "</span>"
  end
  div.content[1] = pandoc.RawBlock("html", html .. "</p>")
  return div
end

-- ---- navigation ----

local function link_html(href, inlines, class)
  return '<a href="' .. esc(href) .. '"' .. (class and (' class="' .. class .. '"') or "")
    .. ">" .. html_of(inlines) .. "</a>"
end

local function sidebar(chapters, current)
  local out = { '<ul class="toc">' }
  for _, ch in ipairs(chapters) do
    local here = ch == current
    local title = ch.header and ch.header.content or { pandoc.Str(meta_title) }
    out[#out + 1] = '<li class="chapter' .. (here and " current" or "") .. '">'
      .. link_html(ch.file, title, here and "here" or nil)
    if here then
      local sections = {}
      for _, b in ipairs(ch.blocks) do
        if b.t == "Header" and b.level == 2 then
          sections[#sections + 1] = "<li>" .. link_html("#" .. b.identifier, b.content) .. "</li>"
        end
      end
      if #sections > 0 then
        out[#out + 1] = '<ul class="sections">' .. table.concat(sections) .. "</ul>"
      end
    end
    out[#out + 1] = "</li>"
  end
  out[#out + 1] = "</ul>"
  return table.concat(out, "\n")
end

local function pager(chapters, i)
  local html = { '<nav class="pager" aria-label="previous and next chapter">' }
  local prev, next = chapters[i - 1], chapters[i + 1]
  if prev then
    html[#html + 1] = '<a rel="prev" href="' .. prev.file .. '"><span>Previous</span> '
      .. html_of(prev.header and prev.header.content or {}) .. "</a>"
  end
  if next then
    html[#html + 1] = '<a rel="next" href="' .. next.file .. '"><span>Next</span> '
      .. html_of(next.header and next.header.content or {}) .. "</a>"
  end
  return table.concat(html, "\n") .. "</nav>"
end

-- ---- the whole document ----

function Pandoc(doc)
  site = doc.meta.site and pandoc.utils.stringify(doc.meta.site) or fail("web.lua needs -M site=DIR")
  numbered = meta_true(doc.meta["number-sections"])
  meta_title = pandoc.utils.stringify(doc.meta.title or "")
  edition = pandoc.utils.stringify(doc.meta.edition or "")
  template = pandoc.template.compile(read("book/web.html"))
  os.execute("mkdir -p '" .. site .. "'")

  -- links in the text are relative to the first input file's directory
  local first = PANDOC_STATE.input_files[1] or ""
  base = first:match("^(.*/)") or ""
  local chapters = chapters_of(doc.blocks)
  number_headings(chapters)
  local search = {}
  for _, ch in ipairs(chapters) do
    glossary_ids(ch, search)
    pandoc.walk_block(pandoc.Div(ch.blocks), {
      Header = function(h)
        if h.level <= 3 then
          search[#search + 1] = { pandoc.utils.stringify(h.content), ch.file .. "#" .. h.identifier, "section" }
        end
      end,
    })
  end
  local where = id_map(chapters)

  for i, ch in ipairs(chapters) do
    local body = pandoc.walk_block(pandoc.Div(ch.blocks), {
      Link = function(el)
        local id = el.target:match("^#(.+)$")
        if id and where[id] and where[id] ~= ch.file then
          el.target = where[id] .. "#" .. id
        elseif not id and not el.target:match("^%a[%w+.-]*:") then
          -- a file of the toolkit (an exercise's README): its own page
          local path = (base .. el.target):gsub("^%./", "")
          if io.open(path, "r") then
            source_page(path)
            el.target = "../src/" .. path .. ".html"
          end
        end
        return el
      end,
      Para = function(el)
        local img = #el.content == 1 and el.content[1]
        if img and img.t == "Image" and img.src:match("%.svg$") then
          return inline_svg(img.src, img.caption)
        end
      end,
      Div = function(el)
        if el.classes:includes("source") and el.attributes.file then
          return source_label(el)
        end
      end,
    }).content
    local page_title = ch.header and pandoc.utils.stringify(ch.header.content) or meta_title
    local meta = {
      pagetitle = page_title,
      booktitle = meta_title,
      edition = edition,
      root = "../",
      sidebar = pandoc.RawBlock("html", sidebar(chapters, ch)),
      pager = pandoc.RawBlock("html", pager(chapters, i)),
    }
    if i == 1 then
      meta.title = doc.meta.title
      meta.subtitle = doc.meta.subtitle
    end
    write(site .. "/" .. ch.file, pandoc.write(pandoc.Pandoc(body, meta), "html", { template = template }))
  end

  local entries = {}
  for _, e in ipairs(search) do
    local parts = {}
    for k, v in ipairs(e) do
      parts[k] = '"' .. v:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("</", "<\\/") .. '"'
    end
    entries[#entries + 1] = "[" .. table.concat(parts, ",") .. "]"
  end
  write(site .. "/search.js", "// Generated by book/web.lua: [title, href, kind] for the search box.\n"
    .. "window.NUTSHELL_SEARCH = [\n" .. table.concat(entries, ",\n") .. "\n];\n")
  io.stderr:write("book: " .. #chapters .. " pages in " .. site .. "\n")
  return pandoc.Pandoc({}, doc.meta)
end

-- include-code.lua: code in the book comes from the sources, never a copy.
--
--   ```{.c include="01-namespaces/uts.c" marker="clone"}
--   ```
--
-- replaces the empty block with the lines between "/* <<< clone */" and
-- "/* >>> clone */" in that file (without a marker, the whole file), common
-- indentation removed, tabs as 4 columns (clang-format's lines of 100
-- columns then fit), other markers dropped, and names the file above it.
-- The result is a Div of class "source" (attributes file, marker and line,
-- the first line's number) that book/web.lua turns into a link to the file.
-- A missing file or marker stops the build, naming both.

local function fail(msg)
  io.stderr:write("book: " .. msg .. "\n")
  os.exit(1)
end

local function lines_of(path)
  local f = io.open(path, "r")
  if not f then
    fail(path .. ": no such file (included by BOOK.md)")
  end
  local lines = {}
  for line in f:lines() do
    lines[#lines + 1] = line
  end
  f:close()
  return lines
end

local function is_marker(line)
  return line:match("/%* <<< [%w_-]+ %*/") or line:match("/%* >>> [%w_-]+ %*/")
end

-- Indentation tabs as 4 columns (the width a reader's screen can afford);
-- tabs after the indentation (aligned comments, clang-format's "UseTab:
-- Always") keep their 8-column stops, shifted with the indentation, so what
-- clang-format aligned stays aligned.
local function expand_tabs(line)
  local tabs, rest = line:match("^(\t*)(.*)$")
  local out, col = { string.rep(" ", 4 * #tabs) }, 8 * #tabs
  for ch in rest:gmatch("[^\128-\191][\128-\191]*") do
    if ch == "\t" then
      local n = 8 - col % 8
      out[#out + 1] = string.rep(" ", n)
      col = col + n
    else
      out[#out + 1] = ch
      col = col + 1
    end
  end
  return table.concat(out)
end

local function extract(path, marker)
  local lines, out, inside, found, first = lines_of(path), {}, (marker == nil), false, 1
  for n, line in ipairs(lines) do
    if marker and line:find("/* <<< " .. marker .. " */", 1, true) then
      inside, found, first = true, true, n + 1
    elseif marker and line:find("/* >>> " .. marker .. " */", 1, true) then
      inside = false
    elseif inside and not is_marker(line) then
      out[#out + 1] = expand_tabs(line)
    end
  end
  if marker and not found then
    fail(path .. ": no marker '" .. marker .. "' (expected /* <<< " .. marker .. " */)")
  end
  -- Remove the indentation every non-empty line shares.
  local indent
  for _, line in ipairs(out) do
    if line:match("%S") then
      local lead = #line:match("^ *")
      indent = indent and math.min(indent, lead) or lead
    end
  end
  for i, line in ipairs(out) do
    out[i] = line:sub((indent or 0) + 1)
  end
  return table.concat(out, "\n"), first
end

function CodeBlock(el)
  local path = el.attributes["include"]
  if not path then
    return nil
  end
  local marker = el.attributes["marker"]
  local text, first = extract(path, marker)
  el.text = text
  el.attributes["include"] = nil
  el.attributes["marker"] = nil
  local label = path .. (marker and (" (" .. marker .. ")") or "")
  local attr = { file = path, marker = marker or "", line = tostring(first) }
  return pandoc.Div({ pandoc.Para({ pandoc.Emph({ pandoc.Str(label) }) }), el },
    pandoc.Attr("", { "source" }, attr))
end

-- A link to a file of the toolkit (an exercise's README) cannot go into an
-- EPUB, which holds only its own files (epubcheck RSC-007): there it
-- becomes the link's text and the file's path. The web book (book/web.lua)
-- gives such a file a page of its own.
function Link(el)
  if not FORMAT:match("^epub") or el.target:match("^#") or el.target:match("^%a[%w+.-]*:") then
    return nil
  end
  local dir = (PANDOC_STATE.input_files[1] or ""):match("^(.*/)") or ""
  local out = el.content
  out:insert(pandoc.Space())
  out:insert(pandoc.Str("("))
  out:insert(pandoc.Code(dir .. el.target))
  out:insert(pandoc.Str(")"))
  return out
end

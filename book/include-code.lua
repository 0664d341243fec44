-- include-code.lua: code in the book comes from the sources, never a copy.
--
--   ```{.c include="01-namespaces/uts.c" marker="clone"}
--   ```
--
-- replaces the empty block with the lines between "/* <<< clone */" and
-- "/* >>> clone */" in that file (without a marker, the whole file), common
-- indentation removed, other markers dropped, and names the file above it.
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

local function extract(path, marker)
  local lines, out, inside, found = lines_of(path), {}, (marker == nil), false
  for _, line in ipairs(lines) do
    if marker and line:find("/* <<< " .. marker .. " */", 1, true) then
      inside, found = true, true
    elseif marker and line:find("/* >>> " .. marker .. " */", 1, true) then
      inside = false
    elseif inside and not is_marker(line) then
      out[#out + 1] = line:gsub("\t", "        ")
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
  return table.concat(out, "\n")
end

function CodeBlock(el)
  local path = el.attributes["include"]
  if not path then
    return nil
  end
  local marker = el.attributes["marker"]
  el.text = extract(path, marker)
  el.attributes["include"] = nil
  el.attributes["marker"] = nil
  local label = path .. (marker and (" (" .. marker .. ")") or "")
  return { pandoc.Para({ pandoc.Emph({ pandoc.Str(label) }) }), el }
end

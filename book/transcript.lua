-- transcript.lua: output in the book comes from real runs, never a copy.
--
--   ```{.text transcript="01-uts" part="trace" from="clone(" to="wait4("}
--   ```
--
-- replaces the empty block with book/transcripts/01-uts.trace (part="out":
-- the standard output, 01-uts.out), or with the lines from the first one
-- containing `from` to the next one containing `to` (plain text, not a
-- pattern). `make transcripts` (as root) writes those files from real runs;
-- the "transcripts" suite of `make check` fails when a program's system
-- calls no longer match them. The command that produced the run is named
-- above the block. A missing file or an unmatched from/to stops the build.
--
-- In HTML the block is a terminal, coloured as the programs colour their
-- trace on one (common/trace.c): call names bold, results green, failures
-- red, /proc paths cyan, notes dim and italic. And
--
--   ::: {.trace-view transcript="01-uts"}
--   :::
--
-- embeds that run's --json trace (NAME.json) for the trace viewer
-- (book/viewer.js) to draw; other formats leave it out.

local dir = "book/transcripts/"

local function fail(msg)
  io.stderr:write("book: " .. msg .. "\n")
  os.exit(1)
end

local function lines_of(path)
  local f = io.open(path, "r")
  if not f then
    fail(path .. ": no such transcript (run 'sudo make transcripts')")
  end
  local lines = {}
  for line in f:lines() do
    lines[#lines + 1] = line
  end
  f:close()
  return lines
end

-- The "# command: ..." line that the .calls file starts with.
local function command_of(name)
  for _, line in ipairs(lines_of(dir .. name .. ".calls")) do
    local cmd = line:match("^# command: (.*)$")
    if cmd then
      return cmd
    end
  end
  return name
end

local function read_all(path)
  local f = io.open(path, "r")
  if not f then
    fail(path .. ": no such transcript (run 'sudo make transcripts')")
  end
  local text = f:read("a")
  f:close()
  return text
end

local function excerpt(lines, from, to, path)
  local first, last = 1, #lines
  if from then
    first = nil
    for i, line in ipairs(lines) do
      if line:find(from, 1, true) then
        first = i
        break
      end
    end
    if not first then
      fail(path .. ": no line contains from=\"" .. from .. "\"")
    end
  end
  if to then
    last = nil
    for i = first, #lines do
      if lines[i]:find(to, 1, true) then
        last = i
        break
      end
    end
    if not last then
      fail(path .. ": no line after from contains to=\"" .. to .. "\"")
    end
  end
  local out = {}
  for i = first, last do
    out[#out + 1] = lines[i]
  end
  return table.concat(out, "\n")
end

local function html_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

local function span(class, text)
  return '<span class="' .. class .. '">' .. html_escape(text) .. "</span>"
end

-- One line of a human trace, with the classes of web.css's terminal.
local function trace_line(line)
  local pid, rest = line:match("^(%[pid %d+%] )(.*)$")
  local out = pid and span("t-pid", pid) or ""
  rest = rest or line
  local name, args, ret = rest:match("^([%w_]+)(%(.*%)) = (.*)$")
  if rest:match("^# ") then
    return out .. span("t-note", rest)
  elseif rest:match("^  /[^:]*: ") then
    local path, value = rest:match("^  (/[^:]*): (.*)$")
    return out .. "  " .. span("t-proc", path) .. ": " .. html_escape(value)
  elseif name then
    local class = ret:match("^%-1 ") and "t-fail" or "t-ok"
    return out .. span("t-call", name) .. html_escape(args) .. " = " .. span(class, ret)
  elseif rest:match("^[%w-]+: .*: E[A-Z0-9]+ %(") then -- trace_fail()
    return out .. span("t-fail", rest)
  end
  return out .. html_escape(rest)
end

local function terminal(label, text, part)
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    lines[#lines + 1] = part == "trace" and trace_line(line) or html_escape(line)
  end
  return pandoc.RawBlock("html", '<div class="transcript"><p class="transcript-label">'
    .. html_escape(label) .. '</p><pre class="terminal"><code>'
    .. table.concat(lines, "\n") .. "</code></pre></div>")
end

function Div(el)
  if not el.classes:includes("trace-view") then
    return nil
  end
  if not FORMAT:match("^html") then
    return {}
  end
  local name = el.attributes["transcript"] or fail("a trace-view needs transcript=NAME")
  -- The JSON Lines as they are, for viewer.js to parse; "</" written
  -- "<\/" (the same string in JSON) so no value can end the script element.
  local json = read_all(dir .. name .. ".json"):gsub("</", "<\\/")
  return pandoc.RawBlock("html", '<div class="trace-view" data-name="' .. name
    .. '" data-command="' .. html_escape(command_of(name)):gsub('"', "&quot;")
    .. '"><script type="application/x-ndjson">' .. json .. "</script></div>")
end

function CodeBlock(el)
  local name = el.attributes["transcript"]
  if not name then
    return nil
  end
  local part = el.attributes["part"] or "trace"
  if part ~= "trace" and part ~= "out" then
    fail(name .. ": part must be \"trace\" or \"out\", not \"" .. part .. "\"")
  end
  local path = dir .. name .. "." .. part
  el.text = excerpt(lines_of(path), el.attributes["from"], el.attributes["to"], path)
  for _, key in ipairs({ "transcript", "part", "from", "to" }) do
    el.attributes[key] = nil
  end
  local what = part == "trace" and "trace (standard error)" or "standard output"
  -- book/transcripts/v2/: recorded in the cgroup v2 VM (make transcripts-vm).
  local where = name:match("^v2/") and ", cgroup v2 (the VM)" or ""
  local label = "$ " .. command_of(name) .. "   \u{2014} " .. what .. where .. ", " .. path
  if FORMAT:match("^html") then
    return terminal(label, el.text, part)
  end
  return { pandoc.Para({ pandoc.Emph({ pandoc.Str(label) }) }), el }
end

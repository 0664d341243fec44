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
  local label = "$ " .. command_of(name) .. "   \u{2014} " .. what .. ", " .. path
  return { pandoc.Para({ pandoc.Emph({ pandoc.Str(label) }) }), el }
end

-- instructor.lua: blocks marked "::: instructor" appear only in the
-- instructor edition (pandoc -M instructor=true), headed "Instructor note".
-- Blocks marked "::: aside" (implementation detail a first reading may
-- skip) appear in every edition, headed "Aside." and styled apart (web.css).

local instructor = false

function Meta(meta)
  instructor = meta.instructor == true or
    (type(meta.instructor) == "table" and pandoc.utils.stringify(meta.instructor) == "true")
end

function Div(el)
  if el.classes:includes("aside") then
    table.insert(el.content, 1, pandoc.Para({ pandoc.Strong({ pandoc.Str("Aside.") }),
      pandoc.Space(), pandoc.Emph({ pandoc.Str("Detail; skip it on a first reading.") }) }))
    return el
  end
  if not el.classes:includes("instructor") then
    return nil
  end
  if not instructor then
    return {}
  end
  table.insert(el.content, 1, pandoc.Para({ pandoc.Strong({ pandoc.Str("Instructor note.") }) }))
  return el
end

-- Meta must be read before any Div is seen: run it in a first pass.
return { { Meta = Meta }, { Div = Div } }

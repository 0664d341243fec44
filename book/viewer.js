// viewer.js - draws a nutshell --json trace (JSON Lines, common/trace.h):
// one lane per pid, a time axis, each system call a mark (red when it
// failed) with its decoded arguments and result on hover or focus, /proc
// readings and notes on the lane of the process that made them, and each
// namespace a process reads from /proc/self/ns/* as a colour band that
// changes where the namespace changes. Step mode (the projector): the arrow
// keys move event by event, the current call large above the lanes, as
// --step shows it in the terminal.
//
// Every <div class="trace-view"> holding a <script type="application/x-ndjson">
// is drawn: the web book's embedded traces, and make view's page (where
// data-step="on" gives the keys to the whole page). No libraries.
"use strict";

(() => {
	const SVG = "http://www.w3.org/2000/svg";
	const CSS = `
.trace-view { font: 14px/1.4 var(--sans, system-ui, sans-serif); margin: 1rem 0 1.5rem;
  border: 1px solid var(--line, #ccc); border-radius: 6px; background: var(--bg, #fff);
  color: var(--fg, #111); max-width: 100%; }
.trace-view:focus-within { outline: 2px solid var(--link, #1a5fb4); }
.tv-head { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; padding: .4rem .6rem;
  border-bottom: 1px solid var(--line, #ccc); font-size: 12px; color: var(--muted, #555); }
.tv-head b { color: var(--fg, #111); }
.tv-head button { font: inherit; padding: .15rem .5rem; border: 1px solid var(--line, #ccc);
  border-radius: 4px; background: transparent; color: inherit; cursor: pointer; }
.tv-now { padding: .6rem .8rem; min-height: 3.2em; font-family: var(--mono, monospace);
  font-size: 15px; overflow-wrap: anywhere; text-align: center; }
.tv-now .tv-what { font-size: 1.35em; }
.tv-now .tv-meta { display: block; font-size: 12px; color: var(--muted, #555); }
.tv-scroll { overflow-x: auto; overflow-y: hidden; }
.tv-scroll svg { display: block; }
.tv-lane-label { font: 12px var(--mono, monospace); fill: var(--fg, #111); }
.tv-axis { font: 10px var(--mono, monospace); fill: var(--muted, #666); }
.tv-axis-line { stroke: var(--line, #ccc); }
.tv-lane-line { stroke: var(--line, #ccc); stroke-dasharray: 2 3; }
.tv-band-label { font: 10px var(--mono, monospace); fill: #222; pointer-events: none; }
.mark { cursor: pointer; outline: none; }
.mark .dot { stroke: var(--bg, #fff); stroke-width: 1.5; }
.mark.syscall .dot { fill: #2f7d32; }
.mark.fail .dot { fill: #d93025; }
.mark.proc .dot { fill: #0b8599; }
.mark.note .dot { fill: #80868b; }
.mark.fact .dot { fill: #c77c02; }
.mark.current .dot, .mark:focus .dot { stroke: var(--fg, #111); stroke-width: 3; }
.mark .name { font: 10px var(--mono, monospace); fill: var(--fg, #111); }
.mark.fail .name { fill: #d93025; }
.tv-legend { display: flex; flex-wrap: wrap; gap: .8rem; padding: .3rem .6rem .5rem; font-size: 12px;
  color: var(--muted, #555); }
.tv-legend i { display: inline-block; width: .7rem; height: .7rem; border-radius: 50%;
  vertical-align: -1px; margin-right: .25rem; }
.tv-error { color: #d93025; padding: .6rem; font-family: var(--mono, monospace); }
.trace-view:fullscreen, body.viewer-page .trace-view { display: flex; flex-direction: column;
  margin: 0; border: none; border-radius: 0; }
body.viewer-page { margin: 0; background: var(--bg); color: var(--fg); --bg: #fdfdfc; --fg: #1d1f21;
  --muted: #5f6368; --line: #dadce0; --link: #1a5fb4; }
.trace-view:fullscreen .tv-now, body.viewer-page .tv-now { font-size: clamp(18px, 3.2vw, 40px);
  min-height: 30vh; display: flex; flex-direction: column; justify-content: center; }
@media (prefers-color-scheme: dark) {
  body.viewer-page { --bg: #17191c; --fg: #e2e4e7; --muted: #a0a6ad; --line: #3a3f45; --link: #8ab4f8; }
}`;

	const LANE_H = 84;
	const BAND_H = 14;
	const LEFT = 92;
	const SLOT = 34;
	const TOP = 26;

	const el = (name, attrs = {}, parent = null) => {
		const e = document.createElementNS(SVG, name);
		for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
		if (parent) parent.append(e);
		return e;
	};

	// A colour per namespace value, in the order the values first appear in
	// the trace: two different namespaces never share a colour (up to eight).
	const PALETTE = ["#f2c46d", "#8ecae6", "#b5e48c", "#f4a3c0", "#cdb4f7", "#ffb077", "#9fe3d6", "#d9d9d9"];
	const colours = new Map();
	const colour = (value) => {
		if (!colours.has(value)) colours.set(value, PALETTE[colours.size % PALETTE.length]);
		return colours.get(value);
	};

	const fmtTime = (us) => (us >= 1000000 ? (us / 1e6).toFixed(2) + " s" : us >= 1000 ? (us / 1000).toFixed(1) + " ms" : us + " µs");

	const describe = (e) => {
		switch (e.ev) {
			case "syscall":
				return `${e.name}(${e.args || ""}) = ${e.ret}${e.errno ? " " + e.errno : ""}`;
			case "proc":
				return `${e.path}: ${e.value}`;
			case "fact":
				return `fact ${e.key} = ${e.value}`;
			case "note":
				return `# ${e.text}${e.errno ? ": " + e.errno : ""}`;
			default:
				return JSON.stringify(e);
		}
	};

	const parse = (text) => {
		const events = [];
		text.split("\n").forEach((line, i) => {
			if (!line.trim()) return;
			let e;
			try {
				e = JSON.parse(line);
			} catch (err) {
				throw new Error(`line ${i + 1} is not JSON: ${err.message}`);
			}
			if (typeof e !== "object" || e === null || !e.ev || typeof e.pid !== "number")
				throw new Error(`line ${i + 1}: an event needs "ev" and "pid"`);
			e.t = typeof e.t === "number" ? e.t : i; // traces from before "t": file order
			e.seq = events.length;
			events.push(e);
		});
		if (!events.length) throw new Error("no events in this trace");
		// By time; a syscall's event is written when it returns, so file order is not time order.
		return events.sort((a, b) => a.t - b.t || a.seq - b.seq);
	};

	function draw(root) {
		const src = root.querySelector('script[type="application/x-ndjson"]');
		if (!src || root.dataset.drawn) return;
		root.dataset.drawn = "1";
		let events;
		try {
			events = parse(src.textContent);
		} catch (err) {
			const p = document.createElement("p");
			p.className = "tv-error";
			p.textContent = `trace viewer: ${root.dataset.name || "trace"}: ${err.message}`;
			root.append(p);
			return;
		}
		const pids = [...new Set(events.map((e) => e.pid))];
		const laneOf = new Map(pids.map((p, i) => [p, i]));
		const t0 = events[0].t;
		const t1 = events[events.length - 1].t;
		let mode = "event"; // x by event (readable) or by time (honest spacing)

		// ---- header, the current event, the chart, the legend ----
		root.tabIndex = 0;
		root.setAttribute("role", "group");
		root.setAttribute("aria-label", `trace viewer: ${root.dataset.name || "trace"}`);
		const head = document.createElement("div");
		head.className = "tv-head";
		head.innerHTML = "<b></b><span></span>";
		head.querySelector("b").textContent = `${root.dataset.command || root.dataset.name || "trace"}`;
		head.querySelector("span").textContent = `${events.length} events, ${pids.length} ${pids.length === 1 ? "process" : "processes"}, ${fmtTime(t1 - t0)} · ← → step`;
		const spacing = document.createElement("button");
		spacing.type = "button";
		spacing.textContent = "spacing: by event";
		head.append(spacing);
		if (root.requestFullscreen && root.dataset.step !== "on") {
			const full = document.createElement("button");
			full.type = "button";
			full.textContent = "projector";
			full.addEventListener("click", () => root.requestFullscreen());
			head.append(full);
		}
		const now = document.createElement("div");
		now.className = "tv-now";
		now.setAttribute("aria-live", "polite");
		const scroll = document.createElement("div");
		scroll.className = "tv-scroll";
		const legend = document.createElement("div");
		legend.className = "tv-legend";
		legend.innerHTML =
			'<span><i style="background:#2f7d32"></i>system call</span><span><i style="background:#d93025"></i>failed call</span>' +
			'<span><i style="background:#0b8599"></i>/proc reading</span><span><i style="background:#80868b"></i>note</span>' +
			'<span><i style="background:#c77c02"></i>fact</span><span>bands: the namespaces each process read in /proc/self/ns</span>';
		root.append(head, now, scroll, legend);

		const svg = el("svg", { class: "tv-chart" });
		scroll.append(svg);
		let marks = [];
		let current = 0;

		const xOf = (e) => {
			if (mode === "event") return LEFT + 16 + e.i * SLOT;
			const span = Math.max(1, t1 - t0);
			return LEFT + 16 + ((e.t - t0) / span) * Math.max(600, events.length * SLOT * 0.6);
		};
		events.forEach((e, i) => (e.i = i));

		const render = () => {
			svg.replaceChildren();
			const width = Math.max(...events.map(xOf)) + 40;
			const height = TOP + pids.length * LANE_H + 8;
			svg.setAttribute("width", width);
			svg.setAttribute("height", height);
			svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
			// on make view's page a short trace fills the screen; a long one scrolls
			if (root.dataset.step === "on") svg.style.width = `max(100%, ${width}px)`;

			// the time axis: ticks with the real time since the start
			el("line", { class: "tv-axis-line", x1: LEFT, x2: width - 10, y1: TOP - 6, y2: TOP - 6 }, svg);
			const every = Math.max(1, Math.ceil(events.length / 12));
			events.forEach((e, i) => {
				if (mode === "event" && i % every) return;
				if (mode === "time" && i % every) return;
				const x = xOf(e);
				el("line", { class: "tv-axis-line", x1: x, x2: x, y1: TOP - 10, y2: TOP - 2 }, svg);
				el("text", { class: "tv-axis", x: x + 2, y: TOP - 12 }, svg).textContent = fmtTime(e.t - t0);
			});

			pids.forEach((pid, lane) => {
				const y = TOP + lane * LANE_H;
				const mine = events.filter((e) => e.pid === pid);
				const g = el("g", { class: "lane", "data-pid": pid }, svg);
				el("text", { class: "tv-lane-label", x: 6, y: y + 30 }, g).textContent = `pid ${pid}`;
				const xStart = xOf(mine[0]) - 8;
				const xEnd = xOf(mine[mine.length - 1]) + 8;
				el("line", { class: "tv-lane-line", x1: xStart, x2: xEnd, y1: y + 26, y2: y + 26 }, g);

				// namespace bands: one row per kind, a segment per value
				const kinds = [];
				for (const e of mine) {
					const m = e.ev === "proc" && /^\/proc\/self\/ns\/([a-z_]+)$/.exec(e.path || "");
					if (m && !kinds.includes(m[1])) kinds.push(m[1]);
				}
				kinds.slice(0, 3).forEach((kind, row) => {
					const by = y + 50 + row * (BAND_H - 2);
					let seg = null;
					const close = (x) => {
						if (!seg) return;
						const w = Math.max(6, x - seg.x);
						const r = el("rect", { class: "band", x: seg.x, y: by, width: w, height: BAND_H - 4, rx: 3, fill: colour(seg.value), "data-ns": kind, "data-value": seg.value }, g);
						el("title", {}, r).textContent = `pid ${pid}: /proc/self/ns/${kind} = ${seg.value}`;
						el("text", { class: "tv-band-label", x: seg.x + 3, y: by + BAND_H - 6 }, g).textContent = w > 90 ? seg.value : "";
					};
					for (const e of mine) {
						if (e.ev === "proc" && e.path === `/proc/self/ns/${kind}` && (!seg || seg.value !== e.value)) {
							close(xOf(e) - 6);
							seg = { x: xOf(e) - 6, value: e.value };
						}
					}
					close(xEnd);
				});

				for (const e of mine) {
					const fail = e.ev === "syscall" && e.ret === -1;
					const m = el("g", { class: `mark ${e.ev}${fail ? " fail" : ""}`, tabindex: "-1", "data-index": e.i, transform: `translate(${xOf(e)},${y + 26})` }, g);
					const r = e.ev === "syscall" ? 7 : 5;
					if (e.ev === "syscall") el("circle", { class: "dot", r }, m);
					else el("rect", { class: "dot", x: -r, y: -r, width: 2 * r, height: 2 * r, transform: "rotate(45)" }, m);
					// names alternate above and below the lane, so neighbours never overlap
					const below = mode === "event" && e.i % 2 === 1;
					if (e.ev === "syscall") el("text", { class: "name", x: 0, y: below ? 20 : -11, "text-anchor": "middle" }, m).textContent = e.name.length > 10 ? e.name.slice(0, 9) + "…" : e.name;
					el("title", {}, m).textContent = `[pid ${e.pid}] +${fmtTime(e.t - t0)}  ${describe(e)}`;
					m.addEventListener("mouseenter", () => show(e.i, false));
					m.addEventListener("focus", () => show(e.i, false));
					m.addEventListener("click", () => select(e.i));
				}
			});
			marks = [...svg.querySelectorAll(".mark")].sort((a, b) => a.dataset.index - b.dataset.index);
			select(current, false);
		};

		// The event under the pointer or focus, or the current step, written out.
		const show = (i) => {
			const e = events[i];
			now.replaceChildren();
			const what = document.createElement("span");
			what.className = "tv-what";
			what.textContent = describe(e);
			if (e.ev === "syscall") what.style.color = e.ret === -1 ? "#d93025" : "";
			const meta = document.createElement("span");
			meta.className = "tv-meta";
			meta.textContent = `event ${i + 1} of ${events.length} · pid ${e.pid} · +${fmtTime(e.t - t0)} · ${e.ev}`;
			now.append(what, meta);
		};

		const select = (i, centre = true) => {
			current = Math.max(0, Math.min(events.length - 1, i));
			root.dataset.current = current;
			for (const m of marks) m.classList.toggle("current", Number(m.dataset.index) === current);
			show(current);
			const x = xOf(events[current]);
			if (centre) scroll.scrollLeft = x - scroll.clientWidth / 2;
		};

		const keys = (e) => {
			const step = { ArrowRight: 1, ArrowDown: 1, " ": 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
			if (step) select(current + step);
			else if (e.key === "Home") select(0);
			else if (e.key === "End") select(events.length - 1);
			else return;
			e.preventDefault();
		};
		if (root.dataset.step === "on") document.addEventListener("keydown", keys);
		else root.addEventListener("keydown", keys);

		spacing.addEventListener("click", () => {
			mode = mode === "event" ? "time" : "event";
			spacing.textContent = `spacing: by ${mode}`;
			render();
		});
		render();
		if (root.dataset.step === "on") root.focus();
	}

	const start = () => {
		const views = document.querySelectorAll(".trace-view");
		if (!views.length) return;
		if (!document.getElementById("trace-viewer-style")) {
			const style = document.createElement("style");
			style.id = "trace-viewer-style";
			style.textContent = CSS;
			document.head.append(style);
		}
		views.forEach(draw);
	};
	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
	else start();
})();

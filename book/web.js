// web.js - the web book's sidebar: the menu on a phone, the current section
// highlighted while reading, and the search box over section titles and
// glossary terms (search.js, written by book/web.lua). No libraries.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
	const body = document.body;
	const menu = document.getElementById("menu");
	const sidebar = document.getElementById("sidebar");
	if (!sidebar) return; // a source file's page

	// ---- the menu on a narrow screen ----
	const setMenu = (open) => {
		body.classList.toggle("menu-open", open);
		if (menu) menu.setAttribute("aria-expanded", String(open));
	};
	if (menu) menu.addEventListener("click", () => setMenu(!body.classList.contains("menu-open")));
	sidebar.addEventListener("click", (e) => {
		if (e.target.closest("a")) setMenu(false);
	});
	document.addEventListener("keydown", (e) => {
		if (e.key === "Escape") setMenu(false);
	});

	// ---- the current section: the last heading above a line near the top ----
	const links = new Map();
	for (const a of sidebar.querySelectorAll(".sections a")) {
		const id = decodeURIComponent(a.getAttribute("href").slice(1));
		const h = document.getElementById(id);
		if (h) links.set(h, a);
	}
	const headings = [...links.keys()];
	let active = null;
	const spy = () => {
		let current = null;
		for (const h of headings) {
			if (h.getBoundingClientRect().top < 120) current = h;
			else break;
		}
		const a = current ? links.get(current) : null;
		if (a === active) return;
		if (active) active.classList.remove("active");
		if (a) {
			a.classList.add("active");
			a.setAttribute("aria-current", "location");
		}
		if (active) active.removeAttribute("aria-current");
		active = a;
	};
	if (headings.length) {
		document.addEventListener("scroll", spy, { passive: true });
		spy();
	}

	// ---- search: every word typed must start a word of the entry ----
	const input = document.getElementById("search");
	const results = document.getElementById("search-results");
	const entries = window.NUTSHELL_SEARCH || [];
	const words = (s) => s.toLowerCase().split(/[^a-z0-9_]+/).filter(Boolean);
	const index = entries.map(([title, href, kind]) => ({ title, href, kind, words: words(title) }));
	const show = () => {
		const query = words(input.value);
		results.replaceChildren();
		if (!query.length) {
			results.hidden = true;
			return;
		}
		const found = index.filter((e) => query.every((q) => e.words.some((w) => w.startsWith(q))));
		for (const e of found.slice(0, 30)) {
			const li = document.createElement("li");
			const a = document.createElement("a");
			a.href = e.href;
			a.textContent = e.title;
			const kind = document.createElement("span");
			kind.className = "kind";
			kind.textContent = e.kind;
			a.append(kind);
			li.append(a);
			results.append(li);
		}
		if (!found.length) {
			const li = document.createElement("li");
			li.className = "none";
			li.textContent = "nothing found";
			results.append(li);
		}
		results.hidden = false;
	};
	if (input && results) {
		input.addEventListener("input", show);
		input.addEventListener("keydown", (e) => {
			const first = results.querySelector("a");
			if (e.key === "Enter" && first) first.click();
		});
	}
});

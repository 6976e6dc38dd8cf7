// What the page does wrong for a person using a screen reader, a keyboard or weak eyes:
// returns a list of problems (empty when none). Run by `Browser::accessibility_problems`.
// Checks: every control and button has a name; images and drawings have a text; no
// positive tabindex reorders the focus; one h1 and the page's language; and text has a
// contrast of at least 4.5:1 with what is behind it (3:1 for large text), as WCAG 2 AA
// asks.
"use strict";
const problems = [];
const where = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  else if (el.getAttribute("name")) name += "[name=" + el.getAttribute("name") + "]";
  else if (el.className && typeof el.className === "string") name += "." + el.className.trim().split(/\s+/).join(".");
  return name + " \"" + (el.textContent || "").trim().slice(0, 30) + "\"";
};
const shown = (el) => {
  const style = getComputedStyle(el);
  return style.display !== "none" && style.visibility !== "hidden" && el.getClientRects().length > 0;
};
const named = (el) =>
  (el.getAttribute("aria-label") || "").trim() !== "" ||
  (el.getAttribute("aria-labelledby") || "").trim() !== "" ||
  (el.getAttribute("title") || "").trim() !== "";

if (!document.documentElement.lang) problems.push("the page has no lang");
const h1s = document.querySelectorAll("h1").length;
if (h1s !== 1) problems.push("the page has " + h1s + " h1 headings, not one");

for (const el of document.querySelectorAll("input, select, textarea")) {
  if (el.type === "hidden" || !shown(el)) continue;
  if (["submit", "button", "reset"].includes(el.type)) {
    if (!(el.value || "").trim() && !named(el)) problems.push("a button without a name: " + where(el));
    continue;
  }
  if (el.labels.length === 0 && !named(el)) problems.push("a field without a label: " + where(el));
}
for (const el of document.querySelectorAll("button, a[href]")) {
  if (!shown(el)) continue;
  if (!(el.textContent || "").trim() && !named(el)) problems.push("a " + el.tagName.toLowerCase() + " without a name: " + where(el));
}
for (const el of document.querySelectorAll("img")) {
  if (!el.hasAttribute("alt")) problems.push("an image without alt: " + where(el));
}
for (const el of document.querySelectorAll("svg")) {
  if (el.closest("[aria-hidden=true]") || el.parentElement.closest("svg")) continue;
  if (!named(el) && !el.querySelector("title")) problems.push("a drawing without a text: " + where(el.parentElement));
}
for (const el of document.querySelectorAll("[tabindex]")) {
  if (Number(el.getAttribute("tabindex")) > 0) problems.push("a positive tabindex reorders the focus: " + where(el));
}

// Contrast, of each element that holds text of its own.
const rgba = (text) => {
  const m = text.match(/rgba?\(([^)]+)\)/);
  if (!m) return [0, 0, 0, 1];
  const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
};
const over = (top, below) => {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1);
};
const behind = (el) => {
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let colour = [255, 255, 255, 1];
  for (const layer of layers.reverse()) colour = over(layer, colour);
  return colour;
};
const luminance = (c) => {
  const [r, g, b] = c.slice(0, 3).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
for (const el of document.body.querySelectorAll("*")) {
  const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own || !shown(el) || el.closest("svg") || el.disabled) continue;
  const style = getComputedStyle(el);
  const back = behind(el);
  const fore = over(rgba(style.color), back);
  const [hi, lo] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) problems.push("contrast " + ratio.toFixed(2) + ":1 of " + where(el));
}
return problems;

// The editor works without this script; it adds what is nicer with one: people shown as chosen,
// a toolbar and a live preview for Markdown, and line numbers that follow the raw editor.
(() => {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf"]')?.content || "";

  for (const box of document.querySelectorAll("[data-person]")) {
    const mode = box.querySelector("[data-person-mode]");
    const show = () => {
      for (const part of box.querySelectorAll("[data-person-part]")) {
        if (part.closest("[data-person]") !== box) continue;
        part.hidden = part.dataset.personPart !== mode.value;
      }
    };
    mode.addEventListener("change", show);
    show();
  }

  const wrap = (area, before, after, placeholder) => {
    const start = area.selectionStart, end = area.selectionEnd;
    const chosen = area.value.slice(start, end) || placeholder;
    area.setRangeText(before + chosen + after, start, end, "select");
    area.focus();
    area.dispatchEvent(new Event("input"));
  };
  const prefixLines = (area, prefix) => {
    const start = area.value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    const end = area.selectionEnd;
    const lines = area.value.slice(start, end).split("\n");
    const made = lines.map((line, i) => (typeof prefix === "function" ? prefix(i) : prefix) + line).join("\n");
    area.setRangeText(made, start, end, "end");
    area.focus();
    area.dispatchEvent(new Event("input"));
  };
  const labels = document.documentElement.lang.startsWith("zh")
    ? { bold: "加粗", list: "列表", numbered: "编号", heading: "小标题", link: "链接", preview: "预览", text: "文字", address: "网址" }
    : { bold: "Bold", list: "List", numbered: "Numbered", heading: "Heading", link: "Link", preview: "Preview", text: "text", address: "address" };

  for (const area of document.querySelectorAll("textarea.markdown-text")) {
    const bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    const tools = [
      [labels.bold, () => wrap(area, "**", "**", labels.text)],
      [labels.list, () => prefixLines(area, "- ")],
      [labels.numbered, () => prefixLines(area, (i) => `${i + 1}. `)],
      [labels.heading, () => prefixLines(area, "### ")],
      [labels.link, () => wrap(area, "[", `](https://${labels.address})`, labels.text)],
    ];
    for (const [label, act] of tools) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.addEventListener("click", act);
      bar.appendChild(button);
    }
    area.before(bar);
    const preview = document.createElement("div");
    preview.className = "md-preview";
    preview.setAttribute("aria-live", "polite");
    preview.setAttribute("aria-label", labels.preview);
    area.after(preview);
    let timer = 0;
    const update = async () => {
      const body = new URLSearchParams({ csrf, text: area.value });
      try {
        const answer = await fetch("/markdown", { method: "POST", body, credentials: "same-origin" });
        if (answer.ok) preview.innerHTML = await answer.text(); // sanitized by the server, as on the site
      } catch (error) {
        preview.textContent = "";
      }
    };
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(update, 300);
    });
    update();
  }

  const raw = document.getElementById("raw-text");
  if (raw) {
    const gutter = document.querySelector(".gutter");
    const renumber = () => {
      const count = raw.value.split("\n").length;
      const marked = new Set([...gutter.querySelectorAll("li.marked")].map((li) => li.textContent));
      gutter.replaceChildren(...Array.from({ length: count }, (_, i) => {
        const li = document.createElement("li");
        li.textContent = String(i + 1);
        if (marked.has(li.textContent)) li.className = "marked";
        return li;
      }));
    };
    raw.addEventListener("input", () => {
      renumber();
      raw.rows = raw.value.split("\n").length + 1;
    });
    for (const link of document.querySelectorAll("[data-line]")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const line = Number(link.dataset.line);
        const lines = raw.value.split("\n");
        const start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
        raw.focus();
        raw.setSelectionRange(start, start + (lines[line - 1] || "").length);
        const height = parseFloat(getComputedStyle(raw).lineHeight) || 22;
        raw.closest(".raw-editor").scrollTop = Math.max(0, (line - 5) * height);
      });
    }
  }
})();

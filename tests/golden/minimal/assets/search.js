// The search page: asks the Pagefind index that `sitegen build` writes to pagefind/ and lists the
// pages found. Everything loads from the site itself, relative to this page, so search works from
// any sub-path; only this page loads it.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) return;
  var input = form.querySelector("input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var root = new URL(".", new URL(form.getAttribute("data-root"), location.href));
  var SHOWN = 20;
  var CHINESE = /[\u3400-\u9fff]/;
  var CHINESE_EACH = /([\u3400-\u9fff])/g;
  var engine = null;

  function load() {
    engine = engine || import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
      return pagefind.options({ baseUrl: "/", excerptLength: 24 }).then(function () { return pagefind; });
    });
    return engine;
  }

  // Pagefind's excerpts are text with <mark> around the words found: keep exactly that, as text.
  function excerpt(html) {
    var p = document.createElement("p");
    new DOMParser().parseFromString(html, "text/html").body.childNodes.forEach(function (node) {
      var part = node.nodeName === "MARK" ? document.createElement("mark") : document.createTextNode("");
      part.textContent = node.textContent;
      p.appendChild(part);
    });
    return p;
  }

  function item(data) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = new URL(data.url.replace(/^\/+/, ""), root).href;
    a.textContent = (data.meta && data.meta.title) || data.url;
    li.appendChild(a);
    li.appendChild(excerpt(data.excerpt));
    return li;
  }

  function remember(query) {
    try {
      history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname);
    } catch (e) {
      // Some browsers refuse this for pages opened from disk; the search still works.
    }
  }

  async function run(text) {
    var query = text.trim();
    remember(query);
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    var pagefind;
    try {
      pagefind = await load();
    } catch (e) {
      engine = null;
      status.textContent = location.protocol === "file:" ? form.dataset.local : form.dataset.missing;
      return;
    }
    var found = await pagefind.debouncedSearch(query, {}, 200);
    if (found === null || input.value.trim() !== query) return; // a newer search replaced this one
    if (found.results.length === 0 && CHINESE.test(query)) {
      // The browser may cut Chinese into other words than the index did (锦华名苑 → 锦华 名苑 against
      // 锦华 名 苑): ask again with every character a word of its own, each matching words it begins.
      found = await pagefind.search(query.replace(CHINESE_EACH, " $1 ").trim());
      if (input.value.trim() !== query) return;
    }
    var pages = await Promise.all(found.results.slice(0, SHOWN).map(function (r) { return r.data(); }));
    if (input.value.trim() !== query) return;
    list.replaceChildren.apply(list, pages.map(item));
    var count = found.results.length;
    // The page's own words (in its language), with {query}, {count} and {shown} filled in.
    var words = count === 0 ? form.dataset.none : count > SHOWN ? form.dataset.foundMore : form.dataset.found;
    status.textContent = words.replace("{query}", query).replace("{count}", count).replace("{shown}", SHOWN);
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
  });
  input.addEventListener("input", function () { run(input.value); });
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    input.value = asked;
    run(asked);
  }
})();

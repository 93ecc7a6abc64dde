// The search page: asks the Pagefind index that `sitegen build` writes to pagefind/ at the site's root
// and lists the pages found. Everything loads from the site itself, relative to this page, so search
// works from any sub-path and from every edition (Pagefind picks the index of the page's language);
// only this page loads it.
//
// Pages tell the index what they are (see sitegen/publish/search.py): notices carry the sort key
// `date` and the metadata `date` and `expires` (as the page writes them); expired notices and the
// lists of notices carry the filter rank:low. Results come in three groups: current notices and
// other pages as Pagefind ranks them, then expired notices newest first, marked as expired, then
// the lists of notices.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) return;
  var input = form.querySelector("input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var bundle = new URL(form.getAttribute("data-bundle"), location.href);
  var root = new URL("../", bundle); // the site's root, where Pagefind's addresses start
  var texts = form.dataset; // the page's words, in its language
  var SHOWN = 20;
  var LENGTH = 30; // words in an excerpt
  var BACK = 16; // words an excerpt may start before the first word found, to start at a sentence
  var CHINESE = /[\u3400-\u9fff]/;
  var CHINESE_EACH = /([\u3400-\u9fff])/g;
  // A word that ends a sentence (or a paragraph), or a clause: the excerpt starts after one. In
  // Chinese text `.` and `:` stand alone inside numbers and times (3.5, 9:00): only the full-width
  // marks count, and the end of a paragraph.
  var ENDS = {
    chinese: { sentence: /[。！？；：]\s*$|^\s*$/, clause: /，\s*$|,\s+$|\s$/ },
    spaced: { sentence: /[.!?;:]["”’)]?$/, clause: /,$/ },
  };
  var PUNCTUATION = /^[\s。！？；：，、,.!?;:·…]*$/;
  // Phone numbers in the text: tappable, and never split across lines.
  var PHONE = /(?:1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[ -]?\d{3,4}[ -]?\d{4}|[48]00[ -]?\d{3}[ -]?\d{4}|12345)(?![\d\w])/g;
  var engine = null;

  function load() {
    engine = engine || import(bundle.href).then(function (pagefind) {
      return pagefind.options({ baseUrl: "/" }).then(function () { return pagefind; });
    });
    return engine;
  }

  // The page's text as Pagefind split it into words (Chinese: by zero-width spaces).
  function split(data) {
    var text = data.raw_content || "";
    var chinese = text.indexOf("\u200b") >= 0;
    var list = chinese ? text.split("\u200b") : text.split(/\s+/);
    if (chinese) {
      // Pagefind ends a heading or a list item without punctuation with ". ": a space reads better.
      list = list.map(function (word) { return /^\.\s*$/.test(word) ? " " : word; });
    }
    return { list: list, joiner: chinese ? "" : " ", ends: chinese ? ENDS.chinese : ENDS.spaced };
  }

  // How many words at the start of the text are the page's title (its h1 comes first): the
  // excerpt shows what follows, not the title again.
  function titleLength(list, title) {
    var want = (title || "").replace(/\s+/g, "");
    var have = "";
    var i = 0;
    while (i < list.length && have.length < want.length) have += list[i++].replace(/\s+/g, "");
    if (!want || have.slice(0, want.length) !== want || !PUNCTUATION.test(have.slice(want.length))) return 0;
    while (i < list.length && PUNCTUATION.test(list[i])) i++;
    return i;
  }

  // The word found after the title that begins the stretch of text where the words found weigh
  // most (as Pagefind weighs them), else the start of the text after the title.
  function densest(skip, weighted) {
    var found = weighted.filter(function (w) { return w.location >= skip; });
    var best = skip;
    var most = 0;
    found.forEach(function (w) {
      var sum = 0;
      found.forEach(function (v) {
        if (v.location >= w.location && v.location < w.location + LENGTH) sum += v.balanced_score;
      });
      if (sum > most || (sum === most && w.location < best)) { best = w.location; most = sum; }
    });
    return best;
  }

  // Where the excerpt starts and ends: at the start of the sentence (else of the clause) where the
  // words found weigh most after the title, or at the start of the text after the title; at
  // whole words.
  function range(list, skip, at, ends) {
    var start = after(list, skip, at, ends.sentence);
    if (start < 0) start = after(list, skip, at, ends.clause);
    var whole = start >= 0;
    if (!whole) start = Math.max(skip, at - 3);
    while (start < at && PUNCTUATION.test(list[start])) start++;
    var end = Math.min(list.length, start + LENGTH);
    return { start: start, end: end, before: !whole, after: end < list.length };
  }

  // The first word after the nearest word before ``at`` that ``end`` matches (or the text's start,
  // ``skip``), if it is at most BACK words back; else -1.
  function after(list, skip, at, end) {
    for (var start = at; start >= skip && at - start <= BACK; start--) {
      if (start === skip || end.test(list[start - 1])) return start;
    }
    return -1;
  }

  // The excerpt as nodes: the words found in <mark>, phone numbers as tel: links.
  function excerpt(data) {
    var words = split(data);
    var skip = titleLength(words.list, data.meta && data.meta.title);
    var weighted = data.weighted_locations || [];
    var span = range(words.list, skip, densest(skip, weighted), words.ends);
    var marked = new Set(weighted.map(function (w) { return w.location; }));
    var parts = [];
    if (span.before) parts.push({ text: "…", mark: false });
    for (var i = span.start; i < span.end; i++) {
      var text = words.list[i] + (i < span.end - 1 ? words.joiner : "");
      parts.push({ text: text, mark: marked.has(i) && !PUNCTUATION.test(words.list[i]) });
    }
    var last = parts.length ? parts[parts.length - 1] : null;
    if (last) last.text = last.text.replace(/\s+$/, "");
    if (span.after) parts.push({ text: "…", mark: false });
    var p = document.createElement("p");
    p.className = "result-excerpt";
    withPhones(parts, p);
    return p;
  }

  // Append ``parts`` to ``parent``, with every phone number in their text as one tel: link.
  function withPhones(parts, parent) {
    var text = parts.map(function (part) { return part.text; }).join("");
    var phones = [];
    text.replace(PHONE, function (match, offset) { phones.push([offset, offset + match.length, match]); });
    var offset = 0;
    var target = parent;
    var phone = 0;
    parts.forEach(function (part) {
      var at = 0;
      while (at < part.text.length) {
        var here = offset + at;
        while (phone < phones.length && phones[phone][1] <= here) phone++;
        var current = phones[phone];
        if (current && current[0] === here) {
          target = document.createElement("a");
          target.href = "tel:" + current[2].replace(/\D/g, "");
          parent.appendChild(target);
        }
        var stop = part.text.length;
        if (current && current[0] > here) stop = Math.min(stop, current[0] - offset);
        if (current && current[0] <= here) stop = Math.min(stop, current[1] - offset);
        var piece = part.text.slice(at, stop);
        var node = part.mark ? document.createElement("mark") : document.createTextNode(piece);
        if (part.mark) node.textContent = piece;
        target.appendChild(node);
        at = stop;
        if (current && offset + at >= current[1]) target = parent;
      }
      offset += part.text.length;
    });
  }

  function item(data, expired) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "result-title";
    a.href = new URL(data.url.replace(/^\/+/, ""), root).href;
    a.textContent = (data.meta && data.meta.title) || data.url;
    li.appendChild(a);
    var meta = data.meta || {};
    if (meta.date) {
      var line = document.createElement("p");
      line.className = "result-meta";
      if (expired) {
        var badge = document.createElement("span");
        badge.className = "badge expired";
        badge.textContent = texts.expired;
        line.appendChild(badge);
        line.appendChild(document.createTextNode(" "));
      }
      var when = meta.date + (meta.expires ? " · " + texts.until.replace("{date}", meta.expires) : "");
      line.appendChild(document.createTextNode(when));
      li.appendChild(line);
    }
    li.appendChild(excerpt(data));
    return li;
  }

  // Every result in the order shown: current notices and other pages as Pagefind ranks them, then
  // expired notices newest first, then the lists of notices.
  async function ranked(pagefind, query, found) {
    var low = await Promise.all([
      pagefind.search(query, { filters: { rank: "low" }, sort: { date: "desc" } }), // the dated: notices
      pagefind.search(query, { filters: { rank: "low" } }),
    ]);
    var expired = low[0].results;
    var ids = function (results) { return new Set(results.map(function (r) { return r.id; })); };
    var dated = ids(expired);
    var lists = low[1].results.filter(function (r) { return !dated.has(r.id); });
    var later = ids(low[1].results);
    var first = found.results.filter(function (r) { return !later.has(r.id); });
    return { results: first.concat(expired, lists), expired: dated };
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
      status.textContent = location.protocol === "file:" ? texts.local : texts.missing;
      return;
    }
    var asked = query;
    var found = await pagefind.debouncedSearch(asked, {}, 200);
    if (found === null || input.value.trim() !== query) return; // a newer search replaced this one
    if (found.results.length === 0 && CHINESE.test(query)) {
      // The browser may cut Chinese into other words than the index did (锦华名苑 → 锦华 名苑 against
      // 锦华 名 苑): ask again with every character a word of its own, each matching words it begins.
      asked = query.replace(CHINESE_EACH, " $1 ").trim();
      found = await pagefind.search(asked);
      if (input.value.trim() !== query) return;
    }
    var order = await ranked(pagefind, asked, found);
    if (input.value.trim() !== query) return;
    var shown = order.results.slice(0, SHOWN);
    var pages = await Promise.all(shown.map(function (r) { return r.data(); }));
    if (input.value.trim() !== query) return;
    list.replaceChildren.apply(list, pages.map(function (data, i) { return item(data, order.expired.has(shown[i].id)); }));
    var count = found.results.length;
    // The page's own words (in its language), with {query}, {count} and {shown} filled in.
    var said = count === 0 ? texts.none : count > SHOWN ? texts.foundMore : texts.found;
    status.textContent = said.replace("{query}", query).replace("{count}", count).replace("{shown}", SHOWN);
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

// The search page: asks the index that `sitegen build` writes to search/<language>/ at the site's
// root (see sitegen/publish/search.py) and lists the pages found. Everything loads from the site
// itself, relative to this page, so search works from any sub-path and from every edition (each
// asks the index of its page's language); only this page loads it, and only the files a query needs.
//
// A query is cut into words as the index cut the pages: every pair of Chinese characters next to
// each other (a lone character alone), other words of letters and digits (each also finding the
// words it begins). A page is found when it holds every word; pages are ranked by the sum of each
// word's weight in the page times how rare the word is (BM25). Results come in three groups:
// current notices and other pages by rank, then expired notices newest first, marked as expired,
// then the lists of notices.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) return;
  var input = form.querySelector("input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var lang = (document.documentElement.lang || "und").toLowerCase();
  var index = form.getAttribute("data-index").replace(/\/?$/, "/");
  var folder = new URL(index + encodeURIComponent(lang) + "/", location.href);
  var root = new URL("../../", folder); // the site's root, where the pages' addresses start
  var texts = form.dataset; // the page's words, in its language
  var SHOWN = 20;
  var LENGTH = 60; // characters and words (and the spaces between them) in an excerpt
  var BACK = 16; // how far back from the first word found an excerpt may start, to start at a sentence
  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var KEY = 8;
  var RECORD = KEY + 4;
  var MAX_WORD = 40;
  var PREFIX = 0.6; // a word found because the query's word begins it weighs this much of its weight
  var CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2ebef}";
  var CHINESE = new RegExp("^[" + CJK + "]", "u");
  var WORDS = new RegExp("([" + CJK + "]+)|(?:(?![" + CJK + "])[\\p{L}\\p{N}])+", "gu");
  var UNITS = new RegExp("[" + CJK + "]|\\s+|(?:(?![" + CJK + "])[\\p{L}\\p{N}])+|[^\\s]", "gu");
  // A character that ends a sentence (or a paragraph), or a clause: the excerpt starts after one.
  // In Chinese text `.` and `:` stand alone inside numbers and times (3.5, 9:00): only the
  // full-width marks count, and the end of a paragraph.
  var ENDS = {
    chinese: { sentence: /^[。！？；：]$|\n/, clause: /^[，,]$|^\s+$/ },
    spaced: { sentence: /^[.!?;:]$|\n/, clause: /^,$/ },
  };
  var PUNCTUATION = /^[\s。！？；：，、,.!?;:·…]*$/;
  var WIDE_END = /[。！？；：，、）」』”]$/;
  // Phone numbers in the text: tappable, and never split across lines.
  var PHONE = /(?:1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[ -]?\d{3,4}[ -]?\d{4}|[48]00[ -]?\d{3}[ -]?\d{4}|12345)(?![\d\w])/g;
  var files = new Map(); // the index's files asked for so far, each a promise of its JSON
  var asked = 0; // the searches started so far: a later one replaces those before it

  function get(path) {
    if (!files.has(path)) {
      var loaded = fetch(new URL(path, folder).href).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + path);
        return response.json();
      });
      loaded.catch(function () { files.delete(path); }); // asked again next time
      files.set(path, loaded);
    }
    return files.get(path);
  }

  function normal(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  // The query's words: each with whether only itself is looked for (Chinese, and one letter or
  // digit), or also the words it begins. With ``each``, Chinese is cut into single characters.
  function queryWords(query, each) {
    var found = new Map();
    normal(query).replace(WORDS, function (match, run) {
      var chars = Array.from(match);
      if (run && (each || chars.length === 1)) {
        chars.forEach(function (char) { found.set(char, true); });
      } else if (run) {
        for (var i = 0; i + 1 < chars.length; i++) found.set(chars[i] + chars[i + 1], true);
      } else {
        var word = chars.slice(0, MAX_WORD).join("");
        found.set(word, chars.length < 2);
      }
      return match;
    });
    return Array.from(found, function (entry) { return { word: entry[0], exact: entry[1] }; });
  }

  // The word file holding ``word`` (as sitegen/publish/search.py's bucket: FNV-1a of its UTF-8).
  function bucket(word, buckets) {
    var key = CHINESE.test(word) ? word : Array.from(word).slice(0, 2).join("");
    var hash = 0x811c9dc5;
    new TextEncoder().encode(key).forEach(function (byte) { hash = Math.imul(hash ^ byte, 0x01000193) >>> 0; });
    return hash % buckets;
  }

  function number(text) {
    var value = 0;
    for (var i = 0; i < text.length; i++) value = value * 64 + DIGITS.indexOf(text[i]);
    return value;
  }

  // The pages holding ``part``: key -> { weight, day }.
  async function pagesWith(part, meta) {
    var entries = await get("w/" + bucket(part.word, meta.buckets) + ".json");
    var found = new Map();
    var add = function (records, share) {
      for (var at = 0; at < records.length; at += RECORD) {
        var key = records.slice(at, at + KEY);
        var weight = DIGITS.indexOf(records[at + KEY]) * share;
        var had = found.get(key);
        if (!had || had.weight < weight) found.set(key, { weight: weight, day: number(records.slice(at + KEY + 1, at + RECORD)) });
      }
    };
    if (Object.prototype.hasOwnProperty.call(entries, part.word)) add(entries[part.word], 1);
    if (!part.exact) {
      Object.keys(entries).forEach(function (word) {
        if (word !== part.word && word.indexOf(part.word) === 0) add(entries[word], PREFIX);
      });
    }
    return found;
  }

  // The pages holding every word, in the order shown (see the top of this file).
  async function find(parts) {
    var meta = await get("meta.json");
    var lists = await Promise.all(parts.map(function (part) { return pagesWith(part, meta); }));
    if (!lists.length) return [];
    lists.sort(function (a, b) { return a.size - b.size; });
    var results = [];
    lists[0].forEach(function (first, key) {
      var score = 0;
      for (var i = 0; i < lists.length; i++) {
        var hit = lists[i].get(key);
        if (!hit) return;
        var rarity = Math.log(1 + (meta.pages - lists[i].size + 0.5) / (lists[i].size + 0.5));
        score += rarity * hit.weight;
      }
      results.push({ key: key, score: score, day: first.day });
    });
    var group = function (r) { return r.day === 0 ? 0 : r.day > 1 ? 1 : 2; };
    results.sort(function (a, b) {
      return group(a) - group(b) || (group(a) === 1 ? b.day - a.day : 0) || b.score - a.score ||
        (a.key < b.key ? -1 : 1);
    });
    return results;
  }

  // The page's text in characters, words, spaces and marks, with the places the query's words are.
  function units(text, parts) {
    var list = text.match(UNITS) || [];
    var norm = list.map(normal);
    var exact = new Set();
    var starts = [];
    parts.forEach(function (part) { if (part.exact) exact.add(part.word); else starts.push(part.word); });
    var marked = new Set();
    for (var i = 0; i < list.length; i++) {
      if (CHINESE.test(norm[i])) {
        if (exact.has(norm[i])) marked.add(i);
        if (i + 1 < list.length && exact.has(norm[i] + norm[i + 1])) { marked.add(i); marked.add(i + 1); }
      } else if (exact.has(norm[i]) || starts.some(function (word) { return norm[i].indexOf(word) === 0; })) {
        marked.add(i);
      }
    }
    return { list: list, marked: marked };
  }

  // The unit found that begins the stretch of text with the most found, else the start.
  function densest(marked) {
    var found = Array.from(marked).sort(function (a, b) { return a - b; });
    var best = 0;
    var most = 0;
    found.forEach(function (at, i) {
      var sum = 0;
      for (var j = i; j < found.length && found[j] < at + LENGTH; j++) sum++;
      if (sum > most) { best = at; most = sum; }
    });
    return best;
  }

  // Where the excerpt starts and ends: at the start of the sentence (else of the clause) where the
  // words found are thickest, or at the start of the text; at whole words.
  function range(list, skip, at, ends) {
    var start = after(list, skip, at, ends.sentence);
    if (start < 0) start = after(list, skip, at, ends.clause);
    var whole = start >= 0;
    if (!whole) start = Math.max(skip, at - 3);
    while (start < at && PUNCTUATION.test(list[start])) start++;
    var end = Math.min(list.length, start + LENGTH);
    return { start: start, end: end, before: !whole, after: end < list.length };
  }

  // The first unit after the nearest unit before ``at`` that ``end`` matches (or the text's start,
  // ``skip``), if it is at most BACK units back; else -1.
  function after(list, skip, at, end) {
    for (var start = at; start >= skip && at - start <= BACK; start--) {
      if (start === skip || end.test(list[start - 1])) return start;
    }
    return -1;
  }

  // The excerpt as nodes: the words found in <mark>, phone numbers as tel: links.
  function excerpt(data, parts) {
    var words = units(data.text || "", parts);
    var ends = /^zh/.test(lang) ? ENDS.chinese : ENDS.spaced;
    var span = range(words.list, 0, densest(words.marked), ends);
    var pieces = [];
    if (span.before) pieces.push({ text: "…", mark: false });
    for (var i = span.start; i < span.end; i++) {
      var text = words.list[i];
      // Between blocks a space, but none after a full-width mark (Chinese puts no space there).
      if (/^\s+$/.test(text)) text = i > 0 && WIDE_END.test(words.list[i - 1]) ? "" : " ";
      var mark = words.marked.has(i) && !PUNCTUATION.test(words.list[i]);
      var last = pieces[pieces.length - 1];
      if (last && last.mark === mark && i > span.start) last.text += text;
      else pieces.push({ text: text, mark: mark });
    }
    var end = pieces.length ? pieces[pieces.length - 1] : null;
    if (end) end.text = end.text.replace(/\s+$/, "");
    if (span.after) pieces.push({ text: "…", mark: false });
    var p = document.createElement("p");
    p.className = "result-excerpt";
    withPhones(pieces, p);
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

  function item(data, expired, parts) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "result-title";
    a.href = new URL(data.url, root).href;
    a.textContent = data.title || data.url;
    li.appendChild(a);
    if (data.date) {
      var line = document.createElement("p");
      line.className = "result-meta";
      if (expired) {
        var badge = document.createElement("span");
        badge.className = "badge expired";
        badge.textContent = texts.expired;
        line.appendChild(badge);
        line.appendChild(document.createTextNode(" "));
      }
      var when = data.date + (data.expires ? " · " + texts.until.replace("{date}", data.expires) : "");
      line.appendChild(document.createTextNode(when));
      li.appendChild(line);
    }
    li.appendChild(excerpt(data, parts));
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
    var mine = ++asked;
    remember(query);
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    var parts = queryWords(query, false);
    var results;
    try {
      results = await find(parts);
      if (!results.length && parts.some(function (part) { return part.exact && CHINESE.test(part.word) && part.word.length > 1; })) {
        // Chinese written otherwise than the page (锦华名苑 asked as 锦华苑): every character alone.
        parts = queryWords(query, true);
        results = await find(parts);
      }
    } catch (e) {
      if (mine === asked) status.textContent = location.protocol === "file:" ? texts.local : texts.missing;
      return;
    }
    if (mine !== asked) return; // a newer search replaced this one
    var shown = results.slice(0, SHOWN);
    var pages;
    try {
      pages = await Promise.all(shown.map(function (r) { return get("p/" + r.key + ".json"); }));
    } catch (e) {
      if (mine === asked) status.textContent = texts.missing;
      return;
    }
    if (mine !== asked) return;
    list.replaceChildren.apply(list, pages.map(function (data, i) { return item(data, shown[i].day > 1, parts); }));
    var count = results.length;
    // The page's own words (in its language), with {query}, {count} and {shown} filled in.
    var said = count === 0 ? texts.none : count > SHOWN ? texts.foundMore : texts.found;
    status.textContent = said.replace("{query}", query).replace("{count}", count).replace("{shown}", SHOWN);
  }

  var waiting = null;
  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(waiting);
    run(input.value);
  });
  input.addEventListener("input", function () {
    clearTimeout(waiting);
    waiting = setTimeout(function () { run(input.value); }, 200);
  });
  var query = new URLSearchParams(location.search).get("q");
  if (query) {
    input.value = query;
    run(query);
  }
})();

/* The query page of the OGP registry: SPARQL highlighting, the example queries, and running
 * queries against this server's /sparql over the SPARQL 1.1 Protocol (POST, form-encoded).
 * No dependencies and no network access other than to this server. The pure functions
 * (tokenize, usedPrefixes, withPrefixes, parseNTriples, shortIri, queryForm, iriHref,
 * urlWithQuery) are exported for Node. */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else if (typeof document !== "undefined") {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { api.start(document); });
    } else {
      api.start(document);
    }
  }
}(this, function () {
  "use strict";

  var KEYWORDS = new Set((
    "BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY " +
    "ASC DESC LIMIT OFFSET GROUP HAVING VALUES UNDEF OPTIONAL UNION MINUS GRAPH SERVICE " +
    "SILENT BIND FILTER NOT EXISTS IN TRUE FALSE INSERT DELETE DATA WITH USING DEFAULT ALL " +
    "LOAD CLEAR DROP CREATE ADD MOVE COPY INTO TO SEPARATOR"
  ).split(" "));
  var FUNCTIONS = new Set((
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT " +
    "STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR " +
    "MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 " +
    "SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX " +
    "SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT"
  ).split(" "));

  // One alternative per token kind, tried in this order at each position (sticky regex).
  var TOKEN = new RegExp([
    "(#[^\\n\\r]*)",                                                     // 1 comment
    "(\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)" +
      "|\"(?:[^\"\\\\\\n\\r]|\\\\.)*\"?|'(?:[^'\\\\\\n\\r]|\\\\.)*'?)",   // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                          // 3 IRI
    "([?$][\\p{L}\\p{N}_]+)",                                            // 4 variable
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",                                   // 5 language tag
    "(\\^\\^)",                                                          // 6 datatype marker
    "((?:\\d+\\.\\d*|\\.\\d+|\\d+)(?:[eE][+-]?\\d+)?)",                  // 7 number
    "((?:\\p{L}[\\p{L}\\p{N}_.\\-]*)?:(?:[\\p{L}\\p{N}_:.%\\-]|\\\\.)*)", // 8 prefixed name
    "(_:[\\p{L}\\p{N}_.\\-]+)",                                          // 9 blank node
    "([\\p{L}_][\\p{L}\\p{N}_]*)",                                       // 10 word
    "(\\s+)",                                                            // 11 white space
    "([\\s\\S])"                                                         // 12 anything else
  ].join("|"), "uy");
  var KINDS = [null, "comment", "string", "iri", "var", "lang", "dt", "number", "pname",
    "bnode", "word", "ws", "punct"];

  /** Split SPARQL text into tokens {type, text}; joined, they give the text back. */
  function tokenize(text) {
    var tokens = [];
    var pos = 0;
    while (pos < text.length) {
      TOKEN.lastIndex = pos;
      var m = TOKEN.exec(text);
      if (!m) { tokens.push({ type: "punct", text: text.charAt(pos) }); pos += 1; continue; }
      var kind = "punct";
      for (var i = 1; i < KINDS.length; i++) {
        if (m[i] !== undefined) { kind = KINDS[i]; break; }
      }
      var tok = m[0];
      if (kind === "pname" || kind === "bnode") {
        tok = tok.replace(/\.+$/, "");  // a local name cannot end in "."
        if (tok === "" ) { tok = m[0]; kind = "punct"; }
      }
      if (kind === "word") {
        var upper = tok.toUpperCase();
        if (tok === "a" || KEYWORDS.has(upper)) kind = "keyword";
        else if (FUNCTIONS.has(upper)) kind = "function";
      }
      tokens.push({ type: kind, text: tok });
      pos += tok.length;
    }
    return tokens;
  }

  function prefixOf(pname) { return pname.slice(0, pname.indexOf(":")); }

  /** The prefixes a query declares with PREFIX, and those its prefixed names use. */
  function prefixUse(text) {
    var declared = new Set();
    var used = new Set();
    var significant = tokenize(text).filter(function (t) {
      return t.type !== "ws" && t.type !== "comment";
    });
    for (var i = 0; i < significant.length; i++) {
      var t = significant[i];
      if (t.type !== "pname") continue;
      var prev = significant[i - 1];
      if (prev && prev.type === "keyword" && prev.text.toUpperCase() === "PREFIX") {
        declared.add(prefixOf(t.text));
      } else {
        used.add(prefixOf(t.text));
      }
    }
    return { declared: declared, used: used };
  }

  /** The known prefixes a query uses without declaring them, in the order of `known`. */
  function usedPrefixes(text, known) {
    var use = prefixUse(text);
    return Object.keys(known).filter(function (p) {
      return use.used.has(p) && !use.declared.has(p);
    });
  }

  /** The query with PREFIX lines for the known prefixes it lacks, after its first comments. */
  function withPrefixes(text, known) {
    var missing = usedPrefixes(text, known);
    if (!missing.length) return { text: text, added: 0 };
    var lines = text.split("\n");
    var head = 0;
    while (head < lines.length && /^\s*#/.test(lines[head])) head += 1;
    var decl = missing.map(function (p) { return "PREFIX " + p + ": <" + known[p] + ">"; });
    return { text: lines.slice(0, head).concat(decl, lines.slice(head)).join("\n"),
      added: missing.length };
  }

  /** The form of a query: SELECT, ASK, CONSTRUCT or DESCRIBE (the first such keyword after
   * the prologue), or "" when it has none. */
  function queryForm(text) {
    var toks = tokenize(text);
    for (var i = 0; i < toks.length; i++) {
      var t = toks[i];
      if (t.type !== "keyword") continue;
      var w = t.text.toUpperCase();
      if (w === "SELECT" || w === "ASK" || w === "CONSTRUCT" || w === "DESCRIBE") return w;
    }
    return "";
  }

  /** Where a link to an IRI goes: an IRI under the registry's base URI is a page of this
   * server (`root` + the path), so that the link works wherever the page is served. */
  function iriHref(iri, base, root) {
    if (base && root && iri.indexOf(base) === 0) return root + iri.slice(base.length);
    return iri;
  }

  /** The page's URL for a query: `location` with ?query= (and without ?example=). */
  function urlWithQuery(location, query) {
    var url = new URL(location);
    url.searchParams.delete("example");
    if (query) url.searchParams.set("query", query); else url.searchParams.delete("query");
    return url;
  }

  /** A short form of an IRI: relative to the registry's base URI, or prefix:local. */
  function shortIri(iri, base, known) {
    if (base && iri.indexOf(base) === 0 && iri.length > base.length) {
      return iri.slice(base.length);
    }
    var best = null;
    Object.keys(known).forEach(function (p) {
      var ns = known[p];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length &&
          (best === null || ns.length > known[best].length)) best = p;
    });
    if (best !== null) {
      var local = iri.slice(known[best].length);
      if (/^[\p{L}\p{N}_][\p{L}\p{N}_\-./]*$/u.test(local)) return best + ":" + local;
    }
    return iri;
  }

  function unescapeNT(s) {
    return s.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, function (all, u4, u8, c) {
      if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", "\"": "\"", "'": "'", "\\": "\\" }[c] || c;
    });
  }

  var NT_TERM = "(<[^>]*>|_:\\S+|\"(?:[^\"\\\\]|\\\\.)*\"(?:@[A-Za-z0-9\\-]+|\\^\\^<[^>]*>)?)";
  var NT_LINE = new RegExp("^\\s*" + NT_TERM + "\\s*" + NT_TERM + "\\s*" + NT_TERM + "\\s*\\.\\s*$");

  function ntTerm(s) {
    if (s.charAt(0) === "<") return { type: "uri", value: unescapeNT(s.slice(1, -1)) };
    if (s.indexOf("_:") === 0) return { type: "bnode", value: s.slice(2) };
    var end = s.lastIndexOf("\"");
    var term = { type: "literal", value: unescapeNT(s.slice(1, end)) };
    var rest = s.slice(end + 1);
    if (rest.charAt(0) === "@") term["xml:lang"] = rest.slice(1);
    else if (rest.indexOf("^^") === 0) term.datatype = unescapeNT(rest.slice(3, -1));
    return term;
  }

  /** N-Triples text as rows of SPARQL-JSON-like terms {subject, predicate, object}. */
  function parseNTriples(text) {
    var rows = [];
    text.split(/\r?\n/).forEach(function (line) {
      if (!line.trim() || /^\s*#/.test(line)) return;
      var m = NT_LINE.exec(line);
      if (!m) throw new Error("N-Triples: " + line);
      rows.push({ subject: ntTerm(m[1]), predicate: ntTerm(m[2]), object: ntTerm(m[3]) });
    });
    return rows;
  }

  /** The target of the first link with relation `rel` in an HTTP Link header, or "". */
  function linkTarget(header, rel) {
    var re = /<([^>]*)>\s*((?:;\s*[^;,]*)*)/g;
    var m;
    while ((m = re.exec(header)) !== null) {
      var rels = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(m[2]);
      if (rels && rels[1].toLowerCase().split(/\s+/).indexOf(rel) !== -1) return m[1];
    }
    return "";
  }

  var NUMERIC = new Set(["integer", "decimal", "double", "float", "long", "int", "short",
    "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"]);
  var QUIET = new Set(["string", "boolean"]);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, k) {
      return values[k] !== undefined ? String(values[k]) : all;
    });
  }

  // --------------------------------------------------------------------------------------
  // The page
  // --------------------------------------------------------------------------------------
  function start(doc) {
    var dataEl = doc.getElementById("ui-data");
    if (!dataEl) return;
    var data = JSON.parse(dataEl.textContent);
    var t = data.t;
    var XSD = data.prefixes.xsd;
    var editor = doc.getElementById("query-editor");
    var box = doc.getElementById("editor");
    var code = doc.getElementById("query-highlight");
    var pre = code.parentNode;
    var runButton = doc.getElementById("run-query");
    var form = doc.getElementById("query-form");
    var statusEl = doc.getElementById("status");
    var errorEl = doc.getElementById("error");
    var resultsEl = doc.getElementById("results");
    var body = doc.getElementById("results-body");
    var truncatedEl = doc.getElementById("truncated");
    var downloads = {
      csv: doc.getElementById("download-csv"),
      json: doc.getElementById("download-json"),
      turtle: doc.getElementById("download-turtle"),
      ntriples: doc.getElementById("download-ntriples"),
      jsonld: doc.getElementById("download-jsonld")
    };
    var solutionsLinks = doc.getElementById("downloads-solutions");
    var graphLinks = doc.getElementById("downloads-graph");
    var gotoError = doc.getElementById("goto-error");
    var errorActions = doc.getElementById("error-actions");
    // the language switch's links (bokmål · nynorsk · English) keep the query too
    var langLinks = Array.prototype.slice.call(doc.querySelectorAll("a.lang-link"));
    var errorAt = null;
    var urlTimer = null;
    var running = false;

    function el(name, cls, text) {
      var e = doc.createElement(name);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    }

    function highlight() {
      var frag = doc.createDocumentFragment();
      var use = prefixUse(editor.value);
      tokenize(editor.value).forEach(function (tok) {
        if (tok.type === "ws" || tok.type === "punct") {
          frag.appendChild(doc.createTextNode(tok.text));
          return;
        }
        var cls = "tok-" + tok.type;
        if (tok.type === "pname") {
          var p = prefixOf(tok.text);
          if (!(p in data.prefixes) && !use.declared.has(p)) cls += " tok-unknown";
        }
        frag.appendChild(el("span", cls, tok.text));
      });
      frag.appendChild(doc.createTextNode("\n"));  // keeps a trailing empty line visible
      code.textContent = "";
      code.appendChild(frag);
    }

    /** The editor's height follows the highlighted copy (query.css: the <pre> is in the flow,
     * the textarea fills it), so no height is set here: a height in pixels would cut the text
     * off when the reader's own style sheet spaces it out (WCAG 1.4.12). */
    function grow() {
      pre.scrollTop = editor.scrollTop;
    }

    function updateLinks() {
      var q = editor.value;
      Object.keys(downloads).forEach(function (fmt) {
        if (downloads[fmt]) {
          downloads[fmt].href = data.sparql + "?" + new URLSearchParams({ query: q, format: fmt });
        }
      });
      // SELECT and ASK answer as CSV and JSON, CONSTRUCT and DESCRIBE as RDF
      var form = queryForm(q);
      var graph = form === "CONSTRUCT" || form === "DESCRIBE";
      solutionsLinks.hidden = graph;
      graphLinks.hidden = !graph;
    }

    /** The typed query into the page's URL (and the language switch), so that a copied link
     * reproduces it. */
    function updateUrl() {
      urlTimer = null;
      if (!(window.history && window.history.replaceState)) return;
      var url = urlWithQuery(window.location.href, editor.value);
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
      langLinks.forEach(function (a) { a.href = urlWithQuery(a.href, editor.value).href; });
    }

    function changed() { highlight(); grow(); updateLinks(); }

    function edited() {
      changed();
      if (urlTimer !== null) window.clearTimeout(urlTimer);
      urlTimer = window.setTimeout(updateUrl, 300);
    }

    function say(text) { statusEl.textContent = text; }

    function clearError() {
      errorEl.hidden = true;
      errorEl.textContent = "";
      errorAt = null;
      errorActions.hidden = true;
    }

    /** The caret to a 1-based line and column of the editor. */
    function moveCaret(line, column) {
      var lines = editor.value.split("\n");
      var offset = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
      offset += Math.max(0, Math.min(column - 1, (lines[line - 1] || "").length));
      editor.focus();
      editor.setSelectionRange(offset, offset);
      say(fill(t.cursor_at, { line: line, column: column }));
    }

    function showError(title, detail) {
      errorEl.textContent = "";
      errorEl.appendChild(el("p", "error-title", title));
      if (detail) errorEl.appendChild(el("pre", "error-detail", detail));
      errorEl.hidden = false;
    }

    function renderTerm(term) {
      if (!term) return null;
      var type = term.type;
      if (type === "uri") {
        var label = shortIri(term.value, data.base, data.prefixes);
        if (/^https?:\/\//i.test(term.value)) {
          var a = el("a", "iri", label);
          a.href = iriHref(term.value, data.base, data.root);
          if (label !== term.value) a.title = term.value;
          return a;
        }
        return el("span", "iri", label);
      }
      if (type === "bnode") return el("span", "bnode", "_:" + term.value);
      if (type === "triple") {
        var span = el("span", "quoted", "<< ");
        ["subject", "predicate", "object"].forEach(function (k) {
          var inner = renderTerm(term.value[k]);
          if (inner) span.appendChild(inner);
          span.appendChild(doc.createTextNode(" "));
        });
        span.appendChild(doc.createTextNode(">>"));
        return span;
      }
      // literal (and "typed-literal" from older SPARQL JSON writers)
      var wrap = el("span", "literal");
      var value = el("span", "value", term.value);
      wrap.appendChild(value);
      var tag = term["xml:lang"];
      function suffix(text) {
        wrap.appendChild(doc.createTextNode(" "));
        wrap.appendChild(el("span", "tag", text));
      }
      if (tag) {
        value.lang = tag;
        suffix("@" + tag);
      } else if (term.datatype && term.datatype.indexOf(XSD) === 0) {
        var local = term.datatype.slice(XSD.length);
        if (!NUMERIC.has(local) && !QUIET.has(local)) suffix("xsd:" + local);
      } else if (term.datatype) {
        suffix("^^" + shortIri(term.datatype, data.base, data.prefixes));
      }
      return wrap;
    }

    function isNumeric(term) {
      return term && term.datatype && term.datatype.indexOf(XSD) === 0 &&
        NUMERIC.has(term.datatype.slice(XSD.length));
    }

    function renderTable(vars, rows, countText) {
      var table = el("table", "results-table");
      table.appendChild(el("caption", null, t.table_caption + " – " + countText));
      var thead = el("thead");
      var tr = el("tr");
      vars.forEach(function (v) {
        var th = el("th", null, v);
        th.scope = "col";
        tr.appendChild(th);
      });
      thead.appendChild(tr);
      table.appendChild(thead);
      var tbody = el("tbody");
      rows.forEach(function (row) {
        var r = el("tr");
        vars.forEach(function (v) {
          var td = el("td");
          var term = row[v];
          var node = renderTerm(term);
          if (node) td.appendChild(node);
          if (isNumeric(term)) td.className = "num";
          r.appendChild(td);
        });
        tbody.appendChild(r);
      });
      table.appendChild(tbody);
      var scroll = el("div", "table-scroll");
      // a wide table can be scrolled with the keyboard; endpoint/static/pages/scroll.js takes
      // the region out of the Tab order while its table fits (without it: a Tab stop always)
      scroll.tabIndex = 0;
      scroll.setAttribute("role", "region");
      scroll.setAttribute("aria-label", t.table_caption);
      scroll.appendChild(table);
      return scroll;
    }

    function count(n, unit) {
      if (unit === "rows") return n === 1 ? t.row : fill(t.rows, { n: n });
      return fill(t.triples, { n: n });
    }

    function show(node, statusText) {
      body.textContent = "";
      body.appendChild(node);
      say(statusText);
    }

    function showAnswer(res, ct, text) {
      if (ct.indexOf("json") !== -1 && ct.indexOf("ld+json") === -1) {
        var answer = JSON.parse(text);
        if (typeof answer.boolean === "boolean") {
          var p = el("p", "ask");
          p.appendChild(el("span", null, t.ask + " "));
          p.appendChild(el("strong", null, answer.boolean ? t.true : t.false));
          show(p, answer.boolean ? t.true : t.false);
          return;
        }
        var vars = (answer.head && answer.head.vars) || [];
        var rows = (answer.results && answer.results.bindings) || [];
        var c = count(rows.length, "rows");
        show(renderTable(vars, rows, c), c);
        return;
      }
      if (ct.indexOf("application/n-triples") !== -1) {
        var triples = parseNTriples(text);
        var ct2 = count(triples.length, "triples");
        show(renderTable(["subject", "predicate", "object"], triples, ct2), ct2);
        return;
      }
      var frag = doc.createDocumentFragment();
      frag.appendChild(el("p", null, fill(t.raw, { type: ct || "?" })));
      frag.appendChild(el("pre", "raw", text));
      show(frag, fill(t.raw, { type: ct || "?" }));
    }

    /** The truncation notice: the row cap (OGP-Row-Cap) and the full dumps (Link). */
    function showTruncated(headers) {
      var cap = (headers.get("OGP-Row-Cap") || "").trim();
      truncatedEl.textContent = /^[0-9]+$/.test(cap) ? fill(t.truncated, { n: cap }) : t.truncated_unknown;
      var link = linkTarget(headers.get("Link") || "", "related");
      if (link && (/^https?:\/\//i.test(link) || link.charAt(0) === "/")) {
        truncatedEl.appendChild(doc.createTextNode(" "));
        var a = el("a", null, t.dumps);
        a.href = link;
        truncatedEl.appendChild(a);
      }
      truncatedEl.hidden = false;
    }

    function run() {
      if (running) return;
      var query = editor.value;
      clearError();
      if (!query.trim()) { showError(t.empty_query); return; }
      running = true;
      runButton.setAttribute("aria-disabled", "true");
      resultsEl.setAttribute("aria-busy", "true");
      truncatedEl.hidden = true;
      say(t.running);
      fetch(data.sparql, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
          "Accept-Language": data.lang,
          "Accept": "application/sparql-results+json, application/n-triples;q=0.9, " +
            "text/turtle;q=0.5, */*;q=0.1"
        },
        body: new URLSearchParams({ query: query })
      }).then(function (res) {
        return res.text().then(function (text) {
          var ct = (res.headers.get("Content-Type") || "").toLowerCase();
          if (!res.ok) {
            var message = text.trim();
            var errCode = "";
            if (ct.indexOf("json") !== -1) {
              try {
                var j = JSON.parse(text);
                message = j.message || message;
                errCode = j.error || "";
              } catch (ignore) { /* not our JSON shape: show the text */ }
            }
            showError(t.error + " (HTTP " + res.status + (errCode ? ", " + errCode : "") + ")",
              message);
            var at = /^(\d+):(\d+)$/.exec((res.headers.get("OGP-Error-Position") || "").trim());
            if (at) {
              errorAt = { line: parseInt(at[1], 10), column: parseInt(at[2], 10) };
              errorActions.hidden = false;
            }
            body.textContent = "";
            say(t.error);
            return;
          }
          try {
            showAnswer(res, ct, text);
          } catch (err) {  // an answer the page cannot read: say so, show the text
            showError(t.error, (err && err.message ? err.message + "\n\n" : "") + text.slice(0, 2000));
            body.textContent = "";
            say(t.error);
            return;
          }
          var flag = (res.headers.get("OGP-Truncated") || "").trim().toLowerCase();
          if (flag === "true") showTruncated(res.headers);
        });
      }).catch(function (err) {
        showError(t.network, err && err.message ? err.message : "");
        say(t.error);
      }).then(function () {
        running = false;
        runButton.removeAttribute("aria-disabled");
        resultsEl.removeAttribute("aria-busy");
      });
    }

    function loadExample(stem) {
      var ex = data.examples.filter(function (e) { return e.stem === stem; })[0];
      if (!ex) return;
      editor.value = ex.query;
      changed();
      if (urlTimer !== null) { window.clearTimeout(urlTimer); urlTimer = null; }
      Array.prototype.forEach.call(doc.querySelectorAll("#example-list [data-example]"),
        function (b) {
          var on = b.getAttribute("data-example") === stem;
          b.classList.toggle("selected", on);
          if (on) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
        });
      if (window.history && window.history.replaceState) {
        var params = new URLSearchParams(window.location.search);
        params.delete("query");
        params.set("example", stem);
        window.history.replaceState(null, "", "?" + params.toString());
        langLinks.forEach(function (a) {
          var sw = new URL(a.href);
          sw.searchParams.delete("query");
          sw.searchParams.set("example", stem);
          a.href = sw.href;
        });
      }
      say(fill(t.loaded, { title: ex.title }));
    }

    box.classList.add("is-highlighted");
    editor.addEventListener("input", edited);
    editor.addEventListener("scroll", function () { pre.scrollTop = editor.scrollTop; });
    editor.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); run(); }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    doc.getElementById("example-list").addEventListener("click", function (e) {
      var target = e.target.closest ? e.target.closest("[data-example]") : null;
      if (target) { e.preventDefault(); loadExample(target.getAttribute("data-example")); }
    });
    doc.getElementById("insert-prefixes").addEventListener("click", function () {
      var out = withPrefixes(editor.value, data.prefixes);
      if (out.added) { editor.value = out.text; edited(); }
      say(out.added ? fill(t.prefixes_added, { n: out.added }) : t.prefixes_none);
    });
    gotoError.addEventListener("click", function () {
      if (errorAt) moveCaret(errorAt.line, errorAt.column);
    });
    window.addEventListener("resize", grow);
    changed();
    // A syntax error the server showed (the page opened with run=1): the cursor can go there.
    var shownAt = /^(\d+):(\d+)$/.exec(data.error_at || "");
    if (shownAt) {
      errorAt = { line: parseInt(shownAt[1], 10), column: parseInt(shownAt[2], 10) };
      errorActions.hidden = false;
    }
    // A shared link (?query=…, or /sparql?query=… opened in a browser) shows its answer.
    if (data.run && editor.value.trim()) run();
  }

  return {
    tokenize: tokenize,
    usedPrefixes: usedPrefixes,
    withPrefixes: withPrefixes,
    shortIri: shortIri,
    parseNTriples: parseNTriples,
    linkTarget: linkTarget,
    queryForm: queryForm,
    iriHref: iriHref,
    urlWithQuery: urlWithQuery,
    start: start
  };
}));

// Optional: with it, a file goes up by the portal's resumable protocol and a cut link
// costs only the bytes that had not arrived; without it, the form sends the file whole.
// It needs crypto.subtle (HTTPS or this machine), else the plain form is used.
(function () {
  "use strict";
  var CHUNK = 256 * 1024;
  if (!window.fetch || !window.crypto || !crypto.subtle) return;
  function token(form) { return form.querySelector("input[name=csrf]").value; }
  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function kind(file) {
    if (/\.pdf$/i.test(file.name)) return "application/pdf";
    if (/\.jpe?g$/i.test(file.name)) return "image/jpeg";
    if (/\.png$/i.test(file.name)) return "image/png";
    return file.type || "application/octet-stream";
  }
  function key(file) { return "motcua-upload:" + file.name + ":" + file.size + ":" + file.lastModified; }
  async function offset(id, csrf) {
    var r = await fetch("/tai-len/" + id, { method: "HEAD", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
    if (!r.ok) return -1;
    return parseInt(r.headers.get("Upload-Offset") || "0", 10);
  }
  async function send(file, csrf, progress) {
    var id = sessionStorage.getItem(key(file));
    var at = id ? await offset(id, csrf) : -1;
    if (at < 0) {
      var sum = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
      var r = await fetch("/tai-len", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ filename: file.name, size: file.size, sha256: sum, content_type: kind(file) })
      });
      if (!r.ok) throw new Error((await r.json()).error.message);
      id = (await r.json()).id; at = 0;
      sessionStorage.setItem(key(file), id);
    }
    var tries = 0;
    while (at < file.size) {
      if (progress) { progress.hidden = false; progress.value = Math.floor(100 * at / file.size); }
      try {
        var res = await fetch("/tai-len/" + id, {
          method: "PATCH", credentials: "same-origin",
          headers: { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(at), "X-CSRF-Token": csrf },
          body: file.slice(at, Math.min(file.size, at + CHUNK))
        });
        var next = parseInt(res.headers.get("Upload-Offset") || "-1", 10);
        if (res.ok) { at = next; tries = 0; continue; }
        if (res.status === 413 || res.status === 415 || res.status === 422) {
          sessionStorage.removeItem(key(file));
          throw new Error((await res.json()).error.message);
        }
        if (next >= 0) at = next;
      } catch (e) {
        if (e instanceof Error && e.message && !(e instanceof TypeError)) throw e;
      }
      // A cut: ask where the upload stands, then go on from there.
      tries += 1;
      await wait(Math.min(30000, 1000 * tries));
      var known = await offset(id, csrf).catch(function () { return -1; });
      if (known >= 0) at = known;
    }
    if (progress) progress.value = 100;
    sessionStorage.removeItem(key(file));
    return id;
  }
  document.addEventListener("submit", async function (event) {
    var form = event.target;
    if (!form.classList || !(form.classList.contains("upload") || form.classList.contains("upload-many"))) return;
    if (form.dataset.sent) return;
    event.preventDefault();
    var csrf = token(form), progress = form.querySelector("progress");
    var inputs = form.querySelectorAll("input[type=file]");
    try {
      for (var i = 0; i < inputs.length; i++) {
        var input = inputs[i];
        if (!input.files || !input.files.length) continue;
        var id = await send(input.files[0], csrf, progress);
        var holder = form.querySelector("input[name=" + (input.name === "tep" ? "ma_tai_len" : input.name.replace(/^tep_/, "ma_")) + "]");
        if (holder) { holder.value = id; input.disabled = true; }
      }
      form.dataset.sent = "1";
      form.submit();
    } catch (e) {
      alert(e.message || String(e));
    }
  });
})();

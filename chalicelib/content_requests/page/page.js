// The content request page: read the request the link names, upload each chosen file straight to the bucket
// through its own upload form, then complete. Every text from the API is set as textContent, never as HTML.
(function () {
  "use strict";

  var body = document.body;
  var limits = JSON.parse(body.getAttribute("data-limits"));
  var base = body.getAttribute("data-api") + "/" + encodeURIComponent(linkToken());
  var PARALLEL = 3;
  // An upload form is good for an hour; a retry after that asks for a new one.
  var FORM_MS = 50 * 60 * 1000;
  var files = [];
  var request = null;

  function $(id) { return document.getElementById(id); }

  // The last segment of the page's path (a trailing slash or a malformed escape still names a token: an
  // unknown one, which the API answers 404).
  function linkToken() {
    var last = location.pathname.split("/").filter(Boolean).pop() || "";
    try { return decodeURIComponent(last); } catch (error) { return last; }
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function bytes(count) {
    var units = ["byte", "kilobyte", "megabyte", "gigabyte"], unit = 0;
    while (count >= 1000 && unit < units.length - 1) { count /= 1000; unit++; }
    return new Intl.NumberFormat(undefined, {style: "unit", unit: units[unit], unitDisplay: "short",
                                             maximumFractionDigits: unit ? 1 : 0}).format(count);
  }

  // The API's answer as {status, body}; a network failure as status 0.
  function call(method, path, payload) {
    var options = {method: method, credentials: "omit", cache: "no-store", headers: {}};
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(base + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return {status: response.status, body: answer};
      });
    }, function () { return {status: 0, body: {}}; });
  }

  function words(answer) {
    if (answer.status === 0) return "The server could not be reached. Check your connection and try again.";
    var messages = (answer.body.errors || []).map(function (error) { return error.message; });
    if (answer.status === 429) messages.push("Please wait a while before trying again.");
    return messages.join(" ") || "Something went wrong (error " + answer.status + "). Please try again.";
  }

  function ownerName() {
    var user = request && request.user;
    var name = user ? [user.first_name, user.last_name].join(" ").trim() : "";
    return name || "Someone";
  }

  // The link works to the end of its day (UTC): shown in the recipient's own time and language.
  function until() {
    return new Date(Date.parse(request.expiration_date) + 24 * 3600 * 1000);
  }

  function when(date) {
    return new Intl.DateTimeFormat(undefined, {dateStyle: "long", timeStyle: "short"}).format(date);
  }

  var ENDS = {
    sent: function (count) {
      return ["Sent", "Thank you. " + ownerName() + " now has your " + (count === 1 ? "file" : count + " files") + "."];
    },
    completed: function () {
      return ["Already sent", "This request was already answered. Nothing more can be sent with this link."];
    },
    expired: function () {
      return ["This link has expired", ownerName() + " asked for files until " + when(until()) +
              ". Ask them for a new link."];
    },
    canceled: function () { return ["This request was canceled", ownerName() + " no longer needs these files."]; },
    not_found: function () {
      return ["This link does not work", "No request is found at this address. Check that the whole link was " +
              "copied, or ask the person who sent it for a new one."];
    },
    error: function (message) { return ["Something went wrong", message]; }
  };

  function end(state, detail) {
    var text = ENDS[state](detail);
    files.forEach(function (item) { if (item.xhr) item.xhr.abort(); });
    body.setAttribute("data-state", state);
    $("loading").hidden = true;
    $("ask").hidden = true;
    $("end-title").textContent = text[0];
    $("end-text").textContent = text[1];
    $("more").hidden = !(state === "sent" && request && request.time_type === "Multi-Use");
    $("end").hidden = false;
    $("end").focus();
  }

  // A 409 says the request closed meanwhile: read it again to show which end it came to.
  function closed(answer) {
    return call("GET", "").then(function (again) {
      if (again.status === 200 && again.body.status !== "pending") return end(again.body.status);
      return end("error", words(answer));
    });
  }

  function show() {
    $("owner").textContent = ownerName();
    $("prompt").textContent = request.prompt;
    $("until").textContent = when(until());
    $("until").setAttribute("datetime", until().toISOString());
    var photo = limits.media.photo, video = limits.media.video;
    $("accepted").textContent = "Photos (" + Object.keys(photo.types).join(", ") + ") up to " +
      bytes(photo.max_bytes) + " each; videos (" + Object.keys(video.types).join(", ") + ") up to " +
      bytes(video.max_bytes) + " each.";
    $("loading").hidden = true;
    $("ask").hidden = false;
    body.setAttribute("data-state", "open");
  }

  // --- files ---

  // What the upload route would refuse, said before anything is sent; else the file's kind and extension.
  function kind(file) {
    var dot = file.name.lastIndexOf(".");
    var extension = dot < 0 ? "" : file.name.slice(dot + 1).toLowerCase();
    var media = ["photo", "video"].filter(function (name) {
      return Object.prototype.hasOwnProperty.call(limits.media[name].types, extension);
    })[0];
    if (!media) return {refused: "This type of file is not accepted: send a photo or a video."};
    if (file.size < 1) return {refused: "This file is empty."};
    if (file.size > limits.media[media].max_bytes) {
      return {refused: "This file is too large: a " + media + " may be at most " +
              bytes(limits.media[media].max_bytes) + "."};
    }
    if (files.filter(function (item) { return !item.refused; }).length >= limits.files_max) {
      return {refused: "At most " + limits.files_max + " files can be sent at once."};
    }
    return {media: media, extension: extension};
  }

  function add(file) {
    var found = kind(file);
    var item = {file: file, media: found.media, extension: found.extension, refused: found.refused,
                state: found.refused ? "refused" : "waiting"};
    item.row = element("li");
    item.row.appendChild(element("p", "name", file.name + " (" + bytes(file.size) + ")"));
    if (!found.refused) {
      item.progress = element("progress");
      item.progress.max = 100;
      item.progress.value = 0;
      item.progress.setAttribute("aria-label", "Upload of " + file.name);
      item.row.appendChild(item.progress);
    }
    item.status = element("p", "state");
    item.row.appendChild(item.status);
    var actions = element("div", "actions");
    item.retry = element("button", "button", "Retry");
    item.retry.type = "button";
    item.retry.hidden = true;
    item.retry.setAttribute("aria-label", "Retry " + file.name);
    item.retry.addEventListener("click", function () { state(item, "waiting"); pump(); });
    var remove = element("button", "button", "Remove");
    remove.type = "button";
    remove.setAttribute("aria-label", "Remove " + file.name);
    remove.addEventListener("click", function () { drop(item); });
    actions.appendChild(item.retry);
    actions.appendChild(remove);
    item.row.appendChild(actions);
    files.push(item);
    $("files").appendChild(item.row);
    state(item, item.state, found.refused);
  }

  var STATES = {waiting: "Waiting…", uploading: "Uploading…", uploaded: "Uploaded"};

  function state(item, name, message) {
    item.state = name;
    item.row.setAttribute("data-state", name);
    item.status.textContent = message || STATES[name];
    item.retry.hidden = name !== "failed";
    refresh();
  }

  function drop(item) {
    if (item.xhr) item.xhr.abort();
    files.splice(files.indexOf(item), 1);
    item.row.remove();
    pump();
    $("pick").focus();
  }

  function refresh() {
    var ready = files.filter(function (item) { return item.state === "uploaded"; }).length;
    var busy = files.some(function (item) { return item.state === "waiting" || item.state === "uploading"; });
    $("send").disabled = busy || ready === 0;
    $("send").textContent = ready > 1 ? "Send " + ready + " files" : "Send";
  }

  function pump() {
    var running = files.filter(function (item) { return item.state === "uploading"; }).length;
    files.filter(function (item) { return item.state === "waiting"; }).slice(0, PARALLEL - running).forEach(upload);
    refresh();
  }

  function upload(item) {
    state(item, "uploading");
    item.progress.value = 0;
    var fresh = item.form && Date.now() < item.formUntil;
    var form = fresh ? Promise.resolve(null) : call("POST", "/uploads", {
      name: item.file.name.slice(0, limits.name_max), format_type: item.extension, media_type: item.media,
      size: item.file.size});
    form.then(function (answer) {
      if (answer && answer.status === 409) return closed(answer);
      if (answer && answer.status !== 201) return fail(item, words(answer));
      if (answer) {
        item.form = answer.body;
        item.formUntil = Date.now() + FORM_MS;
      }
      post(item);
    });
  }

  // The file, posted as the form says (its fields first, the file last), with its progress.
  function post(item) {
    var data = new FormData();
    Object.keys(item.form.fields).forEach(function (name) { data.append(name, item.form.fields[name]); });
    data.append("file", item.file);
    var xhr = new XMLHttpRequest();
    item.xhr = xhr;
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) item.progress.value = Math.floor(event.loaded / event.total * 99);
    });
    xhr.addEventListener("load", function () {
      item.xhr = null;
      if (xhr.status >= 200 && xhr.status < 300) {
        item.progress.value = 100;
        state(item, "uploaded");
      } else {
        var said = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText || "");
        fail(item, "The storage refused the file" + (said ? ": " + said[1] : "") + ".");
      }
      pump();
    });
    xhr.addEventListener("error", function () {
      item.xhr = null;
      fail(item, "The upload was interrupted. Check your connection and retry.");
      pump();
    });
    xhr.open("POST", item.form.url);
    xhr.send(data);
  }

  function fail(item, message) {
    item.progress.value = 0;
    state(item, "failed", message);
  }

  function complete() {
    var sent = files.filter(function (item) { return item.state === "uploaded"; });
    $("send").disabled = true;
    $("problem").textContent = "";
    $("sending").textContent = "Sending…";
    call("PUT", "/complete", {media_files: sent.map(function (item) {
      return {name: item.file.name.slice(0, limits.name_max), s3_key: item.form.s3_key,
              format_type: item.extension, media_type: item.media, size: item.file.size};
    })}).then(function (answer) {
      $("sending").textContent = "";
      if (answer.status === 200) return end("sent", sent.length);
      if (answer.status === 409) return closed(answer);
      // Each refusal names its file: media_files[2][size] is the third file sent.
      $("problem").textContent = (answer.body.errors || [null]).map(function (error) {
        var index = error && /^media_files\[(\d+)\]/.exec(error.param);
        var named = index && sent[Number(index[1])];
        return (named ? named.file.name + ": " : "") + (error ? error.message : words(answer));
      }).join(" ");
      refresh();
    });
  }

  function picked(event) {
    Array.prototype.forEach.call(event.target.files, add);
    event.target.value = "";
    pump();
  }

  $("pick").addEventListener("change", picked);
  $("take").addEventListener("change", picked);
  $("send").addEventListener("click", complete);
  $("more").addEventListener("click", function () { location.reload(); });

  call("GET", "").then(function (answer) {
    if (answer.status === 404) return end("not_found");
    if (answer.status !== 200) return end("error", words(answer));
    request = answer.body;
    if (request.status !== "pending") return end(request.status);
    show();
  });
}());

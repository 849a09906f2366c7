// CityLens survey: the proof of work, solved in the browser (self-hosted,
// no third party). The form works without it; with it, a response is held
// to the ordinary rate limit instead of the stricter one.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pow]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var challenge = form.querySelector("input[name=pow]");
  var solution = form.querySelector("input[name=pow_solution]");
  if (!challenge || !solution) return;
  var parts = challenge.value.split(".");
  var salt = parts[0], difficulty = parseInt(parts[2], 10);
  var enc = new TextEncoder();
  function zeroBits(buf) {
    var b = new Uint8Array(buf), n = 0;
    for (var i = 0; i < b.length; i++) {
      if (b[i] === 0) { n += 8; continue; }
      for (var m = 0x80; m > 0 && (b[i] & m) === 0; m >>= 1) n++;
      break;
    }
    return n;
  }
  var n = 0;
  function step() {
    var batch = [];
    for (var k = 0; k < 256; k++, n++) batch.push(crypto.subtle.digest("SHA-256", enc.encode(salt + n)));
    var base = n - 256;
    Promise.all(batch).then(function (sums) {
      for (var i = 0; i < sums.length; i++) {
        if (zeroBits(sums[i]) >= difficulty) { solution.value = String(base + i); return; }
      }
      if (n < 50000000) setTimeout(step, 0);
    });
  }
  step();
})();

// Enrolment form: choosing another patient proposes their médecin traitant, checked and
// référent. The patient -> member map comes from the json_script element named by the
// select's data-gp-map attribute (no inline script: the Content-Security-Policy).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("patient");
    if (!select || !select.dataset.gpMap) { return; }
    var source = document.getElementById(select.dataset.gpMap);
    if (!source) { return; }
    var map = JSON.parse(source.textContent);
    select.addEventListener("change", function (event) {
      var member = map[event.target.value];
      if (!member) { return; }
      var box = document.getElementById("team-" + member);
      var radio = document.getElementById("ref-" + member);
      if (box) { box.checked = true; }
      if (radio) { radio.checked = true; }
    });
  });
})();

// Posts the deep-linking response back to the platform as soon as the page loads; the visible
// button stays for browsers without script. An external file, so that a Content Security Policy
// without inline script allows it.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("sim-deep-link-return");
  if (form) {
    form.submit();
  }
});

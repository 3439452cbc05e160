// Posts the stand-in identity provider's signed answer to the service as soon as the page
// loads; the visible button stays for browsers without script.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("idp-answer");
  if (form) {
    form.submit();
  }
});

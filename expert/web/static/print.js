// The client sheet's print button (a file, so the CSP can forbid inline scripts). It is hidden
// in the page and shown here, so that without JavaScript there is no button that does nothing.
const print = document.getElementById("print");
if (print) {
  print.hidden = false;
  print.addEventListener("click", () => window.print());
}

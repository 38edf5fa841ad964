// The client sheet's print button (a file, so the CSP can forbid inline scripts).
document.getElementById("print")?.addEventListener("click", () => window.print());

/** The dashboard's icon: two dots, closed and open. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="10" cy="16" r="7" fill="#1f9254"/><circle cx="22" cy="16" r="7" fill="#d23c3c"/></svg>';

/** Download links for /api/export: the server names the file after the device and range. */
export function ExportLinks(props: { query: string; label: string }) {
  return (
    <span className="export-links">
      <a
        className="button"
        href={`/api/export?${props.query}&format=csv`}
        download
        aria-label={`Export ${props.label} as CSV`}
      >
        CSV
      </a>
      <a
        className="button"
        href={`/api/export?${props.query}&format=json`}
        download
        aria-label={`Export ${props.label} as JSON`}
      >
        JSON
      </a>
    </span>
  );
}

import { SignOut } from "../auth/SignOut.tsx";

/**
 * The header of an operator's page: its name, links to the other pages, who is signed in, and
 * the page's error (an alert) when there is one.
 */
export function PageHeader(props: {
  page: string;
  links: { href: string; label: string }[];
  operator: { username: string; role: string };
  error: string | null;
}) {
  return (
    <>
      <header className="toolbar">
        <h1>
          <a href="/">BoCloud</a> <span className="muted">{props.page}</span>
        </h1>
        <div className="toolbar-actions">
          {props.links.map((l) => (
            <a key={l.href} className="button" href={l.href}>
              {l.label}
            </a>
          ))}
          <SignOut {...props.operator} />
        </div>
      </header>
      {props.error && (
        <p className="error" role="alert">
          {props.error}
        </p>
      )}
    </>
  );
}

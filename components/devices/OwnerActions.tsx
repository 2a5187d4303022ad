import { callApi } from "./api.ts";

/**
 * The token and delete buttons of a device or a gateway, whose API is at `url`. A device's
 * token can be revoked; a gateway's only rotated.
 */
export function OwnerActions(props: {
  owner: string;
  url: string;
  hasToken: boolean;
  revocable: boolean;
  /** Asked before deleting, when given. */
  confirmDelete?: string;
  act: (action: () => Promise<unknown>) => Promise<void>;
  onToken: (owner: string, token: string) => void;
}) {
  const { owner, url, act } = props;
  const newToken = () =>
    act(async () => {
      const { token } = await callApi<{ token: string | null }>("POST", `${url}/token`);
      if (token) props.onToken(owner, token);
    });
  const remove = () => {
    if (!props.confirmDelete || confirm(props.confirmDelete))
      void act(() => callApi("DELETE", url));
  };
  return (
    <>
      <button type="button" onClick={newToken}>
        {props.hasToken ? "Rotate token" : "New token"}
      </button>
      {props.revocable && props.hasToken && (
        <button type="button" onClick={() => act(() => callApi("DELETE", `${url}/token`))}>
          Revoke token
        </button>
      )}
      <button type="button" className="danger" onClick={remove}>
        Delete
      </button>
    </>
  );
}

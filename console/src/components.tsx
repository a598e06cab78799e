import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { ApiFailure, messageOf } from './api.js';

/** What an action last did: nothing yet, running, done (with what to say), or failed (the API's message). */
export type ActionState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'done'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string; readonly failure: ApiFailure | null };

/** Runs an action, keeping what the user must see: busy while it runs, then success or the error. */
export function useAction(): [ActionState, (run: () => Promise<string>) => Promise<boolean>] {
  const [state, setState] = useState<ActionState>({ kind: 'idle' });
  const start = useCallback(async (run: () => Promise<string>): Promise<boolean> => {
    setState({ kind: 'busy' });
    try {
      setState({ kind: 'done', message: await run() });
      return true;
    } catch (err) {
      setState({ kind: 'failed', message: messageOf(err), failure: err instanceof ApiFailure ? err : null });
      return false;
    }
  }, []);
  return [state, start];
}

/** The outcome of an action, announced to screen readers: status for success, alert for errors. */
export function Outcome({ state, busyText = 'Working…' }: { state: ActionState; busyText?: string }): ReactNode {
  switch (state.kind) {
    case 'idle':
      return null;
    case 'busy':
      return (
        <p role="status" className="busy">
          {busyText}
        </p>
      );
    case 'done':
      return (
        <p role="status" className="ok">
          {state.message}
        </p>
      );
    case 'failed':
      return (
        <p role="alert" className="error">
          {state.message}
        </p>
      );
  }
}

/** Data loaded from the API, with its loading and error states, and a way to load it again. */
export type Loaded<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly value: T }
  | { readonly kind: 'failed'; readonly message: string };

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ kind: 'loading' });
  const [round, setRound] = useState(0);
  const shown = useRef<string | null>(null);
  const key = JSON.stringify(deps);
  useEffect(() => {
    let current = true;
    // Reloading the same data keeps what is shown (and the components under it) until the new answer.
    if (shown.current !== key) setState({ kind: 'loading' });
    load().then(
      (value) => {
        shown.current = key;
        if (current) setState({ kind: 'ready', value });
      },
      (err: unknown) => {
        if (current) setState({ kind: 'failed', message: messageOf(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  return [state, () => setRound((r) => r + 1)];
}

/** Renders loaded data, or says it is loading or why it failed. */
export function Show<T>({
  loaded,
  what,
  children,
}: {
  loaded: Loaded<T>;
  what: string;
  children: (value: T) => ReactNode;
}): ReactNode {
  if (loaded.kind === 'loading')
    return (
      <p role="status" className="busy">
        Loading {what}…
      </p>
    );
  if (loaded.kind === 'failed')
    return (
      <p role="alert" className="error">
        Could not load {what}: {loaded.message}
      </p>
    );
  return children(loaded.value);
}

/** A ledger transaction id, shortened for the eye and whole for copying and screen readers. */
export function TxId({ id }: { id: string | null | undefined }): ReactNode {
  if (id === null || id === undefined || id === '') return <span>—</span>;
  return (
    <code className="tx" title={id}>
      {id.length > 16 ? `${id.slice(0, 16)}…` : id}
    </code>
  );
}

export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  return new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** An item waiting for the user's confirmation, and the modal dialog that asks for it. */
export interface Confirmation<T> {
  readonly item: T | null;
  readonly dialog: RefObject<HTMLDialogElement | null>;
  /** Opens the dialog about `item`. */
  ask(item: T): void;
}

export function useConfirmation<T>(): Confirmation<T> {
  const [item, setItem] = useState<T | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  return {
    item,
    dialog,
    ask: (next) => {
      setItem(next);
      dialog.current?.showModal();
    },
  };
}

/**
 * Asks before what cannot be undone (revoking, ending, removing): what it is about, what follows
 * (`children`), the action and "Keep it". Confirming closes the dialog, then runs `onConfirm`.
 */
export function ConfirmDialog<T>({
  confirmation,
  id,
  title,
  describe,
  confirmLabel,
  onConfirm,
  children,
}: {
  confirmation: Confirmation<T>;
  id: string;
  title: string;
  describe: (item: T) => string;
  confirmLabel: string;
  onConfirm: (item: T) => Promise<void>;
  children: ReactNode;
}): ReactNode {
  const { item, dialog } = confirmation;
  return (
    <dialog ref={dialog} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p>
        {item !== null ? `${describe(item)} ` : ''}
        {children}
      </p>
      <button
        type="button"
        onClick={() => {
          if (item === null) return;
          dialog.current?.close();
          void onConfirm(item);
        }}
      >
        {confirmLabel}
      </button>{' '}
      <button type="button" onClick={() => dialog.current?.close()}>
        Keep it
      </button>
    </dialog>
  );
}

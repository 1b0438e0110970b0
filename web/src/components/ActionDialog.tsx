import type { ReactNode } from 'react';
import { useAction } from '../api/queries';
import { ConfirmDialog } from './ConfirmDialog';

/** A confirmation that runs one call: busy while it runs, its error shown in the dialog, `onDone` once it succeeded. */
export function ActionDialog({
  title,
  confirmLabel = 'Delete',
  danger = true,
  confirmDisabled,
  run,
  onDone,
  onFailed,
  onCancel,
  children,
}: {
  title: string;
  confirmLabel?: string;
  danger?: boolean;
  confirmDisabled?: boolean;
  run: () => Promise<unknown>;
  onDone: () => void;
  onFailed?: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const action = useAction(run, onDone, onFailed);
  return (
    <ConfirmDialog
      title={title}
      confirmLabel={confirmLabel}
      danger={danger}
      busy={action.busy}
      error={action.error}
      confirmDisabled={confirmDisabled}
      onConfirm={() => action.run()}
      onCancel={onCancel}
    >
      {children}
    </ConfirmDialog>
  );
}

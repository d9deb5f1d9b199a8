/**
 * Issue 13 §3: book by visit type. Lists the types the provider offers (clinic profile); choosing one makes the
 * booking take the type's length from the chosen slot (the core and the server check the provider offers it and
 * the span, and that every slot it covers is free).
 */
import { useId } from 'react';
import type { ProviderView, VisitTypeView } from '../../../../src-shared/views';
import { useReference } from '../../state/reference';

export function visitTypesOf(all: readonly VisitTypeView[], provider: ProviderView): VisitTypeView[] {
  return all.filter((t) => t.providerIds.includes(provider.id));
}

export function VisitTypeField(p: {
  provider: ProviderView;
  value: string;
  onChange: (visitType: VisitTypeView | null) => void;
}) {
  const all = useReference((s) => s.profile?.visitTypes ?? []);
  const offered = visitTypesOf(all, p.provider);
  const id = useId();
  if (offered.length === 0) return null;
  return (
    <div className="field">
      <label htmlFor={id}>Visit type</label>
      <select
        id={id}
        value={p.value}
        onChange={(e) => p.onChange(offered.find((t) => t.id === e.target.value) ?? null)}
      >
        <option value="">One slot ({p.provider.slotMinutes} min)</option>
        {offered.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.minutes} min)
          </option>
        ))}
      </select>
    </div>
  );
}

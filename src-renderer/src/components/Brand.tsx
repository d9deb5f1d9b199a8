/** The product mark: a plain cross in a rounded square (drawn in SVG, no external assets). */
export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg
      className="brand-mark"
      width={size}
      height={size}
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
    >
      <rect width="32" height="32" rx="8" className="brand-mark-bg" />
      <path d="M13 8h6v5h5v6h-5v5h-6v-5H8v-6h5z" className="brand-mark-cross" />
    </svg>
  );
}

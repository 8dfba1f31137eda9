// Fare estimates shown before booking. The server computes the charged fare with the deployment's
// MinTaxiPrice; this mirrors docs/architecture.md for the default so customers see prices up front.

export const defaultMinTaxiPrice = 3800;
export const grades = ['basic', 'prime', 'platinum'];
export const gradeMultiplier = { basic: 1.0, prime: 1.5, platinum: 2.5 };

/** fare(grade) = max(MinTaxiPrice, round(MinTaxiPrice × k)), in KRW. */
export function fare(grade, minTaxiPrice = defaultMinTaxiPrice) {
  const k = gradeMultiplier[grade] ?? 1;
  return Math.max(minTaxiPrice, Math.round(minTaxiPrice * k));
}

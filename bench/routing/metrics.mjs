/**
 * Cost-quality curves of a two-model router (strong vs weak), shared by the training and evaluation scripts.
 *
 * A router at "share p" sends the fraction p of prompts with the highest scores to the strong model.
 * quality = mean correctness of the chosen model's answers; cost = sum of the chosen model's per-prompt cost.
 * CPT(x) = the smallest strong-call share whose quality reaches x × (strong-only quality), linearly interpolated
 * between the two neighbouring routing points (RouteLLM's "call-performance threshold", on absolute quality).
 */

/** Items sorted by descending score (ties keep input order), with prefix sums for O(1) points. */
export function routingCurve(items, scores, costOf = () => ({ strong: 1, weak: 0 })) {
  const order = items.map((_, index) => index).sort((a, b) => scores[b] - scores[a] || a - b);
  const n = items.length;
  const quality = new Float64Array(n + 1);
  const cost = new Float64Array(n + 1);
  let correct = items.reduce((sum, item) => sum + item.weak, 0);
  let spend = items.reduce((sum, item) => sum + costOf(item).weak, 0);
  quality[0] = correct / n;
  cost[0] = spend;
  order.forEach((index, position) => {
    const item = items[index];
    const price = costOf(item);
    correct += item.strong - item.weak;
    spend += price.strong - price.weak;
    quality[position + 1] = correct / n;
    cost[position + 1] = spend;
  });
  return { n, quality, cost, strongQuality: items.reduce((sum, item) => sum + item.strong, 0) / n, weakQuality: quality[0], strongCost: items.reduce((sum, item) => sum + costOf(item).strong, 0) };
}

/** Quality and cost at a fractional share (linear between routing points). */
export function pointAt(curve, share) {
  const at = share * curve.n;
  const low = Math.floor(at);
  const high = Math.min(low + 1, curve.n);
  const t = at - low;
  return { share, quality: curve.quality[low] * (1 - t) + curve.quality[high] * t, cost: curve.cost[low] * (1 - t) + curve.cost[high] * t };
}

/** Smallest share reaching `fraction` of the strong model's quality; null if never reached. */
export function cpt(curve, fraction = 0.95) {
  const target = fraction * curve.strongQuality;
  if (curve.quality[0] >= target) return pointAt(curve, 0);
  for (let k = 1; k <= curve.n; k += 1) {
    if (curve.quality[k] >= target) {
      const t = (target - curve.quality[k - 1]) / (curve.quality[k] - curve.quality[k - 1]);
      return pointAt(curve, (k - 1 + t) / curve.n);
    }
  }
  return null;
}

/** Random router (expected value): quality and cost are linear in the share. */
export function randomAt(curve, share) {
  const weakCost = curve.cost[0];
  return { share, quality: curve.weakQuality + share * (curve.strongQuality - curve.weakQuality), cost: weakCost + share * (curve.strongCost - weakCost) };
}

export function randomCpt(curve, fraction = 0.95) {
  const target = fraction * curve.strongQuality;
  if (curve.weakQuality >= target) return randomAt(curve, 0);
  if (curve.strongQuality <= curve.weakQuality) return null;
  return randomAt(curve, (target - curve.weakQuality) / (curve.strongQuality - curve.weakQuality));
}

/** The oracle: strong only where it is right and the weak model wrong, cheapest-first (same data). */
export function oracleCurve(items, costOf) {
  const gain = items.map((item) => item.strong - item.weak + (item.strong > item.weak ? 0 : -2));
  return routingCurve(items, gain, costOf);
}

/** Mean quality gain over the random router across all shares, as a fraction of the strong-weak gap (APGR − 0.5). */
export function apgr(curve) {
  const gap = curve.strongQuality - curve.weakQuality;
  if (gap <= 0) return 0;
  let area = 0;
  for (let k = 0; k <= curve.n; k += 1) area += (curve.quality[k] - curve.weakQuality) / gap;
  return area / (curve.n + 1);
}

/** Area under the ROC curve of score vs "strong right and weak wrong". */
export function auc(items, scores) {
  const order = items.map((_, index) => index).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  order.forEach((index, rank) => {
    if (items[index].strong > items[index].weak) { positives += 1; rankSum += rank + 1; }
  });
  const negatives = items.length - positives;
  return positives === 0 || negatives === 0 ? 0.5 : (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

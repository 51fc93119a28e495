// Anchors, aliases and merge keys (`<<`), read as Go's YAML decoders read them: an alias
// stands for the node its anchor names, and a merge key adds the pairs of one mapping
// (or a list of mappings, the first one winning) that the mapping does not set itself.
// Aliases are resolved by reference, not copied, so a "billion laughs" document costs
// nothing until it is walked; the walk here counts what aliases expand to and refuses
// a document that is mostly expansion, with the thresholds of Go's yaml decoders.
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";

/** A document that expands into far more nodes than it declares. */
export class YamlAliasError extends Error {}

/** The share of decoded nodes that may come from aliases, falling as documents grow. */
function allowedAliasRatio(decoded: number): number {
  const low = 400_000;
  const high = 4_000_000;
  if (decoded <= low) return 0.99;
  if (decoded >= high) return 0.1;
  return 0.99 - (0.89 * (decoded - low)) / (high - low);
}

/** Returns root with aliases replaced by their targets and merge keys merged; mutates the tree. */
export function expandAliases(root: Node): Node {
  let decoded = 0;
  let viaAlias = 0;
  // Filled in document order as the walk meets anchors (a name may be redefined further
  // down); the yaml package's own Alias.resolve searches the document for each alias.
  const anchors = new Map<string, Node>();
  const walk = (node: Node, inAlias: boolean): Node => {
    decoded++;
    if (inAlias) viaAlias++;
    if (viaAlias > 100 && decoded > 1000 && viaAlias / decoded > allowedAliasRatio(decoded)) {
      throw new YamlAliasError("document contains excessive aliasing");
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) throw new YamlAliasError(`unknown anchor '${node.source}' referenced`);
      return walk(target, true);
    }
    if (!inAlias && node.anchor) anchors.set(node.anchor, node);
    if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) node.items[i] = walk(node.items[i] as Node, inAlias);
    } else if (isMap(node)) {
      const pairs = node.items as Pair<Node, Node | null>[];
      for (const p of pairs) {
        p.key = walk(p.key, inAlias);
        if (p.value !== null) p.value = walk(p.value, inAlias);
      }
      if (pairs.some(isMergePair)) node.items = merged(pairs);
    }
    return node;
  };
  return walk(root, false);
}

function isMergePair(p: Pair<Node, Node | null>): boolean {
  return isScalar(p.key) && p.key.value === "<<" && p.key.type === "PLAIN";
}

function keyOf(p: Pair<Node, Node | null>): string | undefined {
  return isScalar(p.key) ? String(p.key.value) : undefined;
}

/** The mapping's own pairs, then the pairs its merge keys bring that it does not set. */
function merged(pairs: Pair<Node, Node | null>[]): Pair<Node, Node | null>[] {
  const own = pairs.filter((p) => !isMergePair(p));
  const taken = new Set(own.map(keyOf));
  const out = [...own];
  for (const m of pairs.filter(isMergePair)) {
    const sources = m.value !== null && isSeq(m.value) ? (m.value.items as Node[]) : [m.value];
    for (const src of sources) {
      if (src === null || !isMap(src)) throw new YamlAliasError("map merge requires map or sequence of maps as the value");
      for (const p of src.items as Pair<Node, Node | null>[]) {
        const k = keyOf(p);
        if (taken.has(k)) continue;
        taken.add(k);
        out.push(p);
      }
    }
  }
  return out;
}

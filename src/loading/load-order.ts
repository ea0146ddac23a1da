import type { EdfiModel } from '../edfi/resource-model.js';

/**
 * Dependency levels of the data standard's resources, for loading files in
 * an order where every reference resolves: descriptors and resources that
 * reference nothing are level 0; any other resource is one level above the
 * highest resource it references (an abstract target such as
 * `educationOrganizations` stands for all its subclasses). Resources of one
 * level never reference each other, so a level may load in parallel.
 * Self-references (e.g. a course's prerequisite) stay within the level and
 * then rely on file order.
 */
export function dependencyLevels(model: EdfiModel): Map<string, number> {
  const resources = model.resources;
  const subclasses = new Map<string, string[]>();
  for (const [key, resource] of Object.entries(resources)) {
    if (resource.superclass) subclasses.set(resource.superclass.target, [...(subclasses.get(resource.superclass.target) ?? []), key]);
  }
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (key: string): number => {
    const known = levels.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) return 0; // a cycle (self-reference): stays on the level being computed
    visiting.add(key);
    const resource = resources[key];
    let level = 0;
    if (resource) {
      for (const reference of resource.references) {
        const targets = resources[reference.target] ? [reference.target] : (subclasses.get(reference.target) ?? []);
        for (const target of targets) if (target !== key) level = Math.max(level, levelOf(target) + 1);
      }
    }
    visiting.delete(key);
    levels.set(key, level);
    return level;
  };
  for (const key of Object.keys(resources)) levelOf(key);
  return levels;
}

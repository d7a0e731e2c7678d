// The editor check's reference: what the node's description says the editor shows, decided by n8n-workflow's NodeHelpers as the
// editor does: the node's parameters are filled in with getNodeParameters (defaults of whatever
// is displayed, as for a node just added or an operation just picked), and each parameter is
// shown when displayParameterPath says so for the path "parameters" (the panel) or
// "parameters.<collection>" (the "Add Option" list of a collection).
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { NODE_TYPE, ROOT } from './n8n.mjs';

const { NodeHelpers } = createRequire(join(ROOT, 'package.json'))('n8n-workflow');

function nodeVersion(description) {
	return Array.isArray(description.version) ? Math.max(...description.version) : description.version;
}

/** The node's values as the editor holds them once `values` are set: { node, nodeValues }. */
function editorValues(description, values) {
	const node = { typeVersion: nodeVersion(description) };
	const parameters = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
	return { node, nodeValues: { parameters } };
}

/**
 * The top-level parameters n8n shows for `values` (operation plus any set parameter), in order:
 * defaults fill in the rest, as for a node just added.
 */
export function expectedParameters(description, values) {
	const { node, nodeValues } = editorValues(description, values);
	return description.properties.filter(
		(property) =>
			property.type !== 'hidden' &&
			property.type !== 'notice' &&
			NodeHelpers.displayParameterPath(nodeValues, property, 'parameters', node, description),
	);
}

/** The entries "Add Option" offers for an empty collection shown with `values`. */
export function expectedCollectionOptions(description, values, collection) {
	const { node, nodeValues } = editorValues(description, values);
	const empty = { parameters: { ...nodeValues.parameters, [collection.name]: {} } };
	return (collection.options ?? [])
		.filter((option) => NodeHelpers.displayParameterPath(empty, option, `parameters.${collection.name}`, node, description))
		.map((option) => option.displayName);
}

/** The node's description as n8n serves it to the editor (/types/nodes.json). */
export async function nodeDescriptionFromN8n(base, cookie) {
	const response = await fetch(`${base}/types/nodes.json`, { headers: { cookie } });
	if (!response.ok) throw new Error(`/types/nodes.json answered ${response.status}`);
	const types = await response.json();
	const found = types.filter((type) => type.name === NODE_TYPE);
	if (found.length === 0) throw new Error(`n8n has not loaded ${NODE_TYPE}`);
	return found.sort((a, b) => Math.max(...[b.version].flat()) - Math.max(...[a.version].flat()))[0];
}

/**
 * A message in the proto3 JSON mapping (snake_case or lowerCamelCase field
 * names, enums by name, `@type` inside `Any`s), as `encodeResource` reads it.
 * The builders accept it where their typed options stop.
 */
export type Proto3Json = { readonly [field: string]: unknown };

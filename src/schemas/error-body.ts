import * as z from 'zod/mini';

/** The body of every error answer: `{"error": "Character not found"}`. */
export const errorBodySchema = z.object({ error: z.string() });

export type ErrorBody = z.infer<typeof errorBodySchema>;

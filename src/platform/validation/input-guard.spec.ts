import { jest } from '@jest/globals';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { IsDefined, IsOptional, IsString } from 'class-validator';
import { DomainError } from '../errors/domain-error.js';
import { InputGuardPipe } from './input-guard.js';
import { createValidationPipe } from './validation.js';

class NoteDto {
  @IsOptional()
  @IsString()
  title?: string;

  @IsOptional()
  @IsString()
  text?: string;
}

const body: ArgumentMetadata = { type: 'body', metatype: NoteDto };

class RequiredQueryDto {
  @IsDefined()
  @IsString()
  q: string;
}

class DefaultedQueryDto {
  @IsOptional()
  @IsString()
  sort?: string = 'asc';

  sorted(): string {
    return this.sort ?? 'none';
  }
}

function spyingPipe(): { pipe: InputGuardPipe; seen: unknown[] } {
  const inner = createValidationPipe();
  const seen: unknown[] = [];
  const spy: PipeTransform = {
    transform: (value, metadata) => {
      seen.push(structuredClone(value));
      return inner.transform(value, metadata);
    },
  };
  return { pipe: new InputGuardPipe(spy), seen };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('InputGuardPipe', () => {
  it('hands class-transformer only the declared keys: a body of 50,000 unknown keys is refused without walking them', async () => {
    const { pipe, seen } = spyingPipe();
    const hostile: Record<string, unknown> = { title: 'kept' };
    for (let i = 0; i < 50_000; i += 1) hostile[`k${i}`] = { deep: [i] };
    const error = await refusal(pipe.transform(hostile, body));
    expect(error.fields).toHaveLength(50_000);
    expect(seen).toEqual([{ title: 'kept' }]);
  });

  it('refuses control characters and nesting at once, before validation runs at all', async () => {
    const { pipe, seen } = spyingPipe();
    expect((await refusal(pipe.transform({ title: 'a\u0000b' }, body))).fields[0]).toMatchObject({ field: 'title', rule: 'regex' });
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    // 100,000 levels: the walk stops at the 17th, no stack overflow.
    expect((await refusal(pipe.transform({ text: deep }, body))).fields[0].message).toMatch(/nested too deeply/);
    expect(seen).toEqual([]);
  });

  it('keeps tab and newline in body text, refuses every control in a query, and 404s a path id', async () => {
    const { pipe } = spyingPipe();
    await expect(pipe.transform({ text: 'a\tb\nc\r\n' }, body)).resolves.toMatchObject({ text: 'a\tb\nc\r\n' });
    const query = await refusal(pipe.transform({ title: 'a\nb' }, { type: 'query', metatype: NoteDto }));
    expect(query.fields[0].field).toBe('title');
    expect((await refusal(pipe.transform('a\u0000', { type: 'param', data: 'id', metatype: String }))).code).toBe('NOT_FOUND');
  });

  it('names an unknown key and a failing declared field together', async () => {
    const { pipe } = spyingPipe();
    const error = await refusal(pipe.transform(JSON.parse('{"__proto__":{"x":1},"title":5}'), body));
    expect(error.fields.map((field) => field.field).sort()).toEqual(['__proto__', 'title']);
  });

  it('leaves custom parameters alone', async () => {
    const inner = { transform: jest.fn((value: unknown) => value) };
    const pipe = new InputGuardPipe(inner);
    await expect(pipe.transform('a\u0000', { type: 'custom' })).resolves.toBe('a\u0000');
  });

  describe('an empty query', () => {
    it('is validated once per DTO, then answered with a new instance (methods and defaults included)', async () => {
      const { pipe, seen } = spyingPipe();
      const query: ArgumentMetadata = { type: 'query', metatype: DefaultedQueryDto };
      const first = await pipe.transform({}, query);
      const second = (await pipe.transform({}, query)) as DefaultedQueryDto;
      expect(seen).toHaveLength(1);
      expect(second).toBeInstanceOf(DefaultedQueryDto);
      expect(second).not.toBe(first);
      expect(second.sorted()).toBe('asc');
      expect(second).toEqual(first);
      // A query with keys still goes through validation each time.
      await pipe.transform({ sort: 'desc' }, query);
      expect(seen).toHaveLength(2);
    });

    it('that fails validation keeps failing, through the pipe, every time', async () => {
      const { pipe, seen } = spyingPipe();
      const query: ArgumentMetadata = { type: 'query', metatype: RequiredQueryDto };
      for (let attempt = 0; attempt < 2; attempt++) {
        expect((await refusal(pipe.transform({}, query))).fields).toEqual([{ field: 'q', message: 'The q field is required.', rule: 'required' }]);
      }
      expect(seen).toHaveLength(2);
    });
  });
});

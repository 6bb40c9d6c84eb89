import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { DatetimeScalar } from '../scalars';

@ObjectType('Preseem', { description: 'The Preseem cloud API settings (a singleton). The API key is write-only.' })
export class PreseemObject {
  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => Boolean, { description: 'Whether an API key is stored (the key itself is never returned).' })
  api_key_present!: boolean;

  @Field(() => String, { nullable: true, description: 'e.g. https://api.preseem.com' })
  base_url!: string | null;

  @Field(() => Int, { description: 'Poll period in seconds.' })
  interval!: number;

  @Field(() => DatetimeScalar)
  updated_at!: Date;

  @Field(() => String, { description: 'Changes on every update.' })
  _version!: string;
}

@InputType('UpdatePreseemMutationInput')
export class UpdatePreseemMutationInput {
  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Write-only: never returned. Used as the HTTP basic-auth user name.' })
  api_key?: string | null;

  @Field(() => String, { nullable: true })
  base_url?: string | null;

  @Field(() => Int, { nullable: true, description: 'Poll period in seconds (60..86400).' })
  interval?: number | null;

  @Field(() => Boolean, { nullable: true })
  unset_api_key?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  unset_base_url?: boolean | null;
}

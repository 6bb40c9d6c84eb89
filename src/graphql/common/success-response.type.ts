import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The result of a mutation that returns no entity.' })
export class SuccessResponse {
  @Field(() => Boolean)
  success!: boolean;

  @Field(() => String, { nullable: true })
  message?: string | null;

  static ok(message: string | null = null): SuccessResponse {
    return Object.assign(new SuccessResponse(), { success: true, message });
  }

  static failed(message: string): SuccessResponse {
    return Object.assign(new SuccessResponse(), { success: false, message });
  }
}

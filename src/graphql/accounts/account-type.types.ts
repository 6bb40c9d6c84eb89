import { ArgsType, Field, InputType, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';

@ObjectType('AccountType')
export class AccountTypeObject extends EntityNode {
  @Field(() => String)
  name!: string;
}

export const AccountTypeConnection = connectionType('AccountType', AccountTypeObject);

@ArgsType()
export class AccountTypeListArgs extends EntityListArgs {
  @Field(() => String, { nullable: true })
  name?: string | null;
}

@InputType('CreateAccountTypeMutationInput')
export class CreateAccountTypeMutationInput {
  @Field(() => String)
  name!: string;
}

@InputType('UpdateAccountTypeMutationInput')
export class UpdateAccountTypeMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;
}

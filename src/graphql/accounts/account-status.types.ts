import { ArgsType, Field, InputType, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';

@ObjectType('AccountStatus')
export class AccountStatusObject extends EntityNode {
  @Field(() => String)
  name!: string;

  @Field(() => Boolean)
  activates_account!: boolean;
}

export const AccountStatusConnection = connectionType('AccountStatus', AccountStatusObject);

@ArgsType()
export class AccountStatusListArgs extends EntityListArgs {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  activates_account?: boolean | null;
}

@InputType('CreateAccountStatusMutationInput')
export class CreateAccountStatusMutationInput {
  @Field(() => String)
  name!: string;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  activates_account?: boolean | null;
}

@InputType('UpdateAccountStatusMutationInput')
export class UpdateAccountStatusMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  activates_account?: boolean | null;
}

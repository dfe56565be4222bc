// Package iam parses and evaluates AWS IAM identity-based JSON policy documents.
//
// Its place in the simulator: before Lambda creates or deletes a Hyperplane ENI it calls
// EC2 with the function's execution role, and a user's CreateFunction /
// UpdateFunctionConfiguration is checked against the user's policies with the lambda:VpcIds,
// lambda:SubnetIds and lambda:SecurityGroupIds condition keys. The model builds a Request
// for each such control-plane operation and asks Evaluate for the Decision; a denial becomes
// InsufficientRolePermissions / EC2AccessDeniedException or an AccessDenied on the API call.
//
// Parse is strict: malformed JSON is reported with line:column (AWS rejects trailing commas,
// and so does Parse), and unknown fields, wrong types, unknown Effects and unsupported
// condition operators are reported with their field path, e.g.
// "Statement[1].Condition.StringEquals". Every such error wraps ErrInvalidPolicy.
//
// Evaluate follows AWS's logic for identity policies of one principal: default deny, any
// matching Allow grants, any matching Deny wins. A parsed Policy is immutable, so one may be
// shared by many goroutines; Evaluate allocates nothing.
//
// The package imports only the standard library. See docs/design/iam.md for the semantics
// chosen where the AWS documentation is silent.
package iam

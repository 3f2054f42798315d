import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerStatus, decodeControllerStatus, decodeControllerStatusList, encodeControllerStatus, encodeControllerStatusList, ZERO_CONTROLLER_STATUS } from './controller-status.js';
import { container, decodeContainer, encodeContainer, ZERO_CONTAINER } from './container.js';
import { decodeImageStatus, encodeImageStatus, ZERO_IMAGE_STATUS } from './image-status.js';
import { ResourceId } from './resource-id.js';

test('zero values (docs/types.md §5-§7)', () => {
  assert.equal(encodeContainer(ZERO_CONTAINER), '{"Current":{"ID":"","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}}}');
  assert.equal(
    encodeControllerStatus(ZERO_CONTROLLER_STATUS),
    '{"ID":"","Containers":null,"ReadOnly":"","Status":"","Rollout":{"Desired":0,"Updated":0,"Ready":0,"Available":0,"Outdated":0,"Messages":null},"SyncError":"","Antecedent":"","Labels":null,"Automated":false,"Locked":false,"Ignore":false,"Policies":null}',
  );
  assert.equal(encodeImageStatus(ZERO_IMAGE_STATUS), '{"ID":"","Containers":null}');
});

test('the realistic example of docs/types.md §6 round-trips', () => {
  const text =
    '{"ID":"default:deployment/helloworld","Containers":[{"Name":"helloworld","Current":{"ID":"quay.io/weaveworks/helloworld:master-a000001","Labels":{}},"LatestFiltered":{"ID":"quay.io/weaveworks/helloworld:master-a000001","Digest":"sha256:abc","ImageID":"sha256:def","Labels":{"org.opencontainers.image.created":"2019-02-14T09:00:00.5Z"},"CreatedAt":"2019-02-14T09:00:00.5Z","LastFetched":"2019-02-14T10:00:00.5Z"},"Available":[{"ID":"quay.io/weaveworks/helloworld:master-a000001","Digest":"sha256:abc","ImageID":"sha256:def","Labels":{"org.opencontainers.image.created":"2019-02-14T09:00:00.5Z"},"CreatedAt":"2019-02-14T09:00:00.5Z","LastFetched":"2019-02-14T10:00:00.5Z"}],"AvailableImagesCount":1}],"ReadOnly":"","Status":"ready","Rollout":{"Desired":2,"Updated":2,"Ready":2,"Available":2,"Outdated":0,"Messages":null},"SyncError":"","Antecedent":"","Labels":{"a":"b","app":"helloworld"},"Automated":true,"Locked":false,"Ignore":false,"Policies":{"automated":"true","tag.helloworld":"glob:master-*"}}';
  const s = decodeControllerStatus(JSON.parse(text));
  assert.equal(s.id.toString(), 'default:deployment/helloworld');
  assert.equal(s.containers?.[0]?.availableImagesCount, 1);
  assert.equal(s.labels?.get('app'), 'helloworld');
  assert.equal(encodeControllerStatus(s), text);
});

test('empty Available is omitted; labels sort bytewise; lists keep nil vs empty', () => {
  assert.equal(encodeContainer(container({ name: 'c', available: [] })), '{"Name":"c","Current":{"ID":"","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}}}');
  assert.equal(decodeContainer({ Available: [] }).available?.length, 0);
  const s = controllerStatus({ id: ResourceId.parse('ns/a'), labels: new Map([['b', '1'], ['10', '2'], ['9', '3'], ['B', '4']]) });
  assert.match(encodeControllerStatus(s), /"Labels":\{"10":"2","9":"3","B":"4","b":"1"\}/);
  assert.equal(encodeControllerStatusList(decodeControllerStatusList([])), '[]');
  assert.equal(encodeControllerStatusList(decodeControllerStatusList(null)), 'null');
});

test('type errors name the struct and path as Go does', () => {
  assert.throws(() => decodeControllerStatus({ Containers: [{ Name: 1 }] }), { message: 'json: cannot unmarshal number into Go struct field Container.Containers.Name of type string' });
  assert.throws(() => decodeControllerStatus({ Rollout: { Ready: 'x' } }), { message: 'json: cannot unmarshal string into Go struct field RolloutStatus.Rollout.Ready of type int32' });
  assert.throws(() => decodeControllerStatus({ ID: 5 }), { message: 'json: cannot unmarshal number into Go struct field ControllerStatus.ID of type string' });
  assert.throws(() => decodeControllerStatus({ Status: 5, ID: 'bad' }), { message: 'parsing bad: invalid service ID' });
  assert.throws(() => decodeContainer({ AvailableImagesCount: 1.5 }), { message: 'json: cannot unmarshal number 1.5 into Go struct field Container.AvailableImagesCount of type int' });
  assert.throws(() => decodeImageStatus({ Containers: {} }), { message: 'json: cannot unmarshal object into Go struct field ImageStatus.Containers of type []v6.Container' });
});

// SPDX-License-Identifier: LGPL-2.1-or-later
pragma solidity ^0.8.20;

import "./Manager.sol";

// Rounds are fixed runs of blocks. A round must be initialized (by anyone) before stake, fees
// and tickets move in it; initializing records the hash of the block before, which tickets
// created in the round commit to.
contract RoundsManager is Manager {
    uint256 internal constant PERC_DIVISOR = 1000000;

    uint256 public roundLength;
    // The last part of a round, as a share of PERC_DIVISOR, during which transcoders may not
    // change their commission, so delegators see final rates before the next round.
    uint256 public roundLockAmount;
    uint256 public lastInitializedRound;
    // Round numbering continues across roundLength changes from this anchor.
    uint256 public lastRoundLengthUpdateRound;
    uint256 public lastRoundLengthUpdateStartBlock;

    mapping(uint256 => bytes32) private roundBlockHashes;

    event NewRound(uint256 indexed round, bytes32 blockHash);

    // Round 1 starts at the deployment block, so the first initialized round already has a
    // block hash (round 0 would give tickets the "no aux data" form).
    constructor(address _controller, uint256 _roundLength, uint256 _roundLockAmount) Manager(_controller) {
        require(_roundLength > 0, "round length cannot be 0");
        require(_roundLockAmount <= PERC_DIVISOR, "round lock amount must be a valid percentage");
        roundLength = _roundLength;
        roundLockAmount = _roundLockAmount;
        lastRoundLengthUpdateRound = 1;
        lastRoundLengthUpdateStartBlock = block.number;
    }

    function setRoundLength(uint256 _roundLength) external onlyControllerOwner {
        require(_roundLength > 0, "round length cannot be 0");
        lastRoundLengthUpdateRound = currentRound();
        lastRoundLengthUpdateStartBlock = currentRoundStartBlock();
        roundLength = _roundLength;
        emit ParameterUpdate("roundLength");
    }

    function setRoundLockAmount(uint256 _roundLockAmount) external onlyControllerOwner {
        require(_roundLockAmount <= PERC_DIVISOR, "round lock amount must be a valid percentage");
        roundLockAmount = _roundLockAmount;
        emit ParameterUpdate("roundLockAmount");
    }

    function initializeRound() external whenSystemNotPaused {
        uint256 round = currentRound();
        require(lastInitializedRound < round, "round already initialized");
        lastInitializedRound = round;
        bytes32 hash = blockhash(block.number - 1);
        roundBlockHashes[round] = hash;
        _bondingManager().setCurrentRoundTotalActiveStake();
        _minter().setCurrentRewardTokens();
        emit NewRound(round, hash);
    }

    function blockNum() public view returns (uint256) {
        return block.number;
    }

    function blockHash(uint256 _block) external view returns (bytes32) {
        require(_block < block.number, "can only retrieve past block hashes");
        require(block.number < 256 || _block >= block.number - 256, "can only retrieve hashes for last 256 blocks");
        return blockhash(_block);
    }

    function blockHashForRound(uint256 _round) external view returns (bytes32) {
        return roundBlockHashes[_round];
    }

    function currentRound() public view returns (uint256) {
        return lastRoundLengthUpdateRound + (block.number - lastRoundLengthUpdateStartBlock) / roundLength;
    }

    function currentRoundStartBlock() public view returns (uint256) {
        uint256 rounds = (block.number - lastRoundLengthUpdateStartBlock) / roundLength;
        return lastRoundLengthUpdateStartBlock + rounds * roundLength;
    }

    function currentRoundInitialized() external view returns (bool) {
        return lastInitializedRound == currentRound();
    }

    function currentRoundLocked() external view returns (bool) {
        uint256 lockBlocks = (roundLength * roundLockAmount) / PERC_DIVISOR;
        return block.number - currentRoundStartBlock() >= roundLength - lockBlocks;
    }
}
